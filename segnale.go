package portalescuole

import (
	"strings"
	"time"
)

// Stati of an alert (segnale): nuovo → in valutazione → confermato or
// archiviato; an archived alert can be reopened for evaluation.
const (
	StatoNuovo       = "nuovo"
	StatoValutazione = "in valutazione"
	StatoConfermato  = "confermato"
	StatoArchiviato  = "archiviato"
)

// StatiSegnale lists the states in lifecycle order.
var StatiSegnale = []string{StatoNuovo, StatoValutazione, StatoConfermato, StatoArchiviato}

// TransizioneAmmessa reports whether an alert may go from one state to another.
func TransizioneAmmessa(da, a string) bool {
	switch da {
	case StatoNuovo:
		return a == StatoValutazione || a == StatoArchiviato
	case StatoValutazione:
		return a == StatoConfermato || a == StatoArchiviato
	case StatoConfermato:
		return a == StatoArchiviato
	case StatoArchiviato:
		return a == StatoValutazione
	}
	return false
}

// Contributo is a plesso's share of a signal's excess absences.
type Contributo struct {
	Plesso  string  `json:"plesso"`
	Nome    string  `json:"nome"`
	Assenti int     `json:"assenti"`
	Attesi  float64 `json:"attesi"`
	Eccesso float64 `json:"eccesso"`
}

// Segnale is an alert episode: the alarm days of a detector on one series
// that follow each other (short gaps allowed) make one alert, from Giorno
// (its first day) to Al (its last), stored with the context of its peak day
// needed to judge it, and the alert lifecycle around it.
type Segnale struct {
	ID     int64
	Serie  string    // "territorio", "provincia:CR", "distretto:CR", "grado:primaria", "febbre/provincia:CR"
	Giorno time.Time // first alarm day
	Al     time.Time // last alarm day
	Picco  time.Time // the day of the highest rate; the values below are that day's
	Giorni int       // alarm days in the episode
	// Osservato, Atteso, Soglia: absence rate (share of pupils) on the peak
	// day, its expected value and the upper bound of its interval.
	Osservato float64
	Atteso    float64
	Soglia    float64
	// Evidenza is the episode's highest accumulated evidence of a rise and
	// SogliaEvidenza the threshold it was compared with: "evidenza 2,7 su
	// soglia 1,5". Both zero for a method without one.
	Evidenza       float64
	SogliaEvidenza float64
	Metodo         string
	Parametri      string // JSON
	Contributi     []Contributo
	Plessi         int     // plessi reporting on the peak day
	Iscritti       int     // their pupils
	Notificato     float64 // peak rate last e-mailed (escalation compares with it)
	Completezza    float64 // share of sentinel plessi that had reported
	Copertura      float64 // share of the territory's pupils in reporting plessi
	CreatoIl       time.Time
	Stato          string
	Assegnato      string
}

// EventoSegnale is one line of an alert's history.
type EventoSegnale struct {
	At       time.Time
	Username string
	Da, A    string // state change, "" when none
	Nota     string
}

// Anomalia is a data anomaly: a one- or two-day jump of a series that falls
// back, more likely a strike, a trip or snow than an epidemic: shown to the
// ATS to verify with the plesso, never an alert.
type Anomalia struct {
	ID        int64
	Serie     string
	Giorno    time.Time
	Osservato float64
	Atteso    float64
	Metodo    string
	Plessi    int
	CreatoIl  time.Time
}

// Levels of the watched series, in the order alerts are summarised:
// the whole territory first, single plessi last.
const (
	LivelloTerritorio = "territorio"
	LivelloProvincia  = "provincia"
	LivelloDistretto  = "distretto"
	LivelloGrado      = "grado"
	LivelloMotivo     = "motivo" // fever/respiratory and gastro series of an aggregate
	LivelloPlesso     = "plesso"
)

// LivelliSerie lists the levels in that order.
var LivelliSerie = []string{LivelloTerritorio, LivelloProvincia, LivelloDistretto, LivelloGrado, LivelloMotivo, LivelloPlesso}

// LivelloSerie is the level of a series key: "provincia:CR" → provincia,
// "febbre/provincia:CR" → motivo, "plesso:CREE80102B" → plesso; a
// sentinel-only twin ("sentinella:provincia:CR") has its aggregate's level.
func LivelloSerie(serie string) string {
	serie = strings.TrimPrefix(serie, "sentinella:")
	if strings.HasPrefix(serie, "febbre/") || strings.HasPrefix(serie, "gastro/") {
		return LivelloMotivo
	}
	kind, _, _ := strings.Cut(serie, ":")
	for _, l := range LivelliSerie {
		if kind == l {
			return l
		}
	}
	return LivelloPlesso
}
