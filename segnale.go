package portalescuole

import "time"

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

// Segnale is an alarm of a detector on one series and day, stored with the
// context needed to judge it, and the alert lifecycle around it.
type Segnale struct {
	ID          int64
	Serie       string // "territorio", "provincia:CR", "distretto:CR", "grado:primaria"
	Giorno      time.Time
	Osservato   float64 // absence rate (share of pupils)
	Atteso      float64
	Soglia      float64
	Metodo      string
	Parametri   string // JSON
	Contributi  []Contributo
	Plessi      int     // plessi reporting that day
	Completezza float64 // share of sentinel plessi that had reported
	Copertura   float64 // share of the territory's pupils in reporting plessi
	CreatoIl    time.Time
	Stato       string
	Assegnato   string
}

// EventoSegnale is one line of an alert's history.
type EventoSegnale struct {
	At       time.Time
	Username string
	Da, A    string // state change, "" when none
	Nota     string
}
