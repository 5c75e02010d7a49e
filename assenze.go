package portalescuole

import (
	"strconv"
	"strings"
	"time"
)

// Motivi splits the absent pupils of a day by reason; every field is
// optional (nil = not reported).
type Motivi struct {
	Febbre        *int `json:"febbre_respiratori,omitempty"` // illness with fever or respiratory symptoms
	Gastro        *int `json:"gastrointestinali,omitempty"`
	AltraMalattia *int `json:"altra_malattia,omitempty"`
	NonMalattia   *int `json:"non_malattia,omitempty"` // not illness, or unknown
}

func (m Motivi) each(fn func(name string, v *int)) {
	fn("febbre_respiratori", m.Febbre)
	fn("gastrointestinali", m.Gastro)
	fn("altra_malattia", m.AltraMalattia)
	fn("non_malattia", m.NonMalattia)
}

// Empty reports whether no reason was given.
func (m Motivi) Empty() bool {
	return m.Febbre == nil && m.Gastro == nil && m.AltraMalattia == nil && m.NonMalattia == nil
}

// Motivi di chiusura: why a plesso held no lessons on a school day.
var MotiviChiusura = []string{"sciopero", "elezioni", "maltempo", "altro"}

// AssenzaClasse is one class's figures for a day.
type AssenzaClasse struct {
	Classe   string `json:"classe"`
	Iscritti int    `json:"iscritti"`
	Assenti  int    `json:"assenti"`
	Motivi
}

// Giorno is what a plesso reports for one school day: the pupils absent in
// the whole plesso (nil = not reported, which is not 0), or a closure.
type Giorno struct {
	Giorno         time.Time       `json:"-"`
	Chiuso         bool            `json:"chiuso,omitempty"`
	MotivoChiusura string          `json:"motivo_chiusura,omitempty"`
	Assenti        *int            `json:"assenti"`
	Motivi         Motivi          `json:"motivi"`
	Classi         []AssenzaClasse `json:"classi,omitempty"`
}

// Rilevazione is a stored day of a plesso with its revision and report time.
type Rilevazione struct {
	Giorno
	Plesso      string
	Revisione   int
	SegnalatoIl time.Time // when this revision was reported: what was known when
	Fonte       string    // "modulo", "file", "api"
	CreatoDa    string
}

// Bounds for absence data.
const (
	MaxClassiGiorno = 250
	MaxLabelClasse  = 20
)

// ValidaGiorno checks one day against the enrolment in force (iscritti) and
// the calendar; it returns errors keyed by field path under prefix (for
// example "giorni[2].classi[0].assenti"), whose values are catalogue keys
// with their arguments (Msg), translated by the web and the CLI.
func ValidaGiorno(g Giorno, iscritti int, scolastico bool, prefix string) map[string]string {
	errs := map[string]string{}
	p := func(f string) string { return prefix + f }
	if !scolastico {
		errs[p("giorno")] = "err.giorno.non_scolastico"
	}
	if g.Chiuso {
		ok := false
		for _, m := range MotiviChiusura {
			ok = ok || g.MotivoChiusura == m
		}
		switch {
		case ok:
		case g.MotivoChiusura == "":
			errs[p("motivo_chiusura")] = Msg("err.chiusura.manca", strings.Join(MotiviChiusura, ", "))
		default:
			errs[p("motivo_chiusura")] = Msg("err.chiusura.motivo", g.MotivoChiusura, strings.Join(MotiviChiusura, ", "))
		}
		// Each figure a closed day cannot have is marked where it was typed
		// (a reason in the collapsed detail, not the empty total).
		if g.Assenti != nil {
			errs[p("assenti")] = "err.chiusura.assenti"
		}
		g.Motivi.each(func(name string, v *int) {
			if v != nil {
				errs[p("motivi."+name)] = "err.chiusura.assenti"
			}
		})
		if len(g.Classi) > 0 {
			errs[p("classi")] = "err.chiusura.assenti"
		}
		return errs
	}
	if g.Assenti == nil && len(g.Classi) == 0 {
		errs[p("assenti")] = "err.assenti.manca"
		return errs
	}
	total := 0
	if g.Assenti != nil {
		total = *g.Assenti
		switch {
		case total < 0:
			errs[p("assenti")] = "err.numero.negativo"
		case iscritti > 0 && total > iscritti:
			errs[p("assenti")] = Msg("err.assenti.iscritti", total, iscritti)
		}
	}
	validaMotivi(g.Motivi, total, p("motivi."), errs)
	if len(g.Classi) > MaxClassiGiorno {
		errs[p("classi")] = Msg("err.classi.troppe", MaxClassiGiorno)
		return errs
	}
	seen := map[string]bool{}
	sumAssenti, sumIscritti := 0, 0
	for i, c := range g.Classi {
		cp := p("classi[" + strconv.Itoa(i) + "].")
		label := strings.TrimSpace(c.Classe)
		switch {
		case label == "":
			errs[cp+"classe"] = "err.classe.manca"
		case len([]rune(label)) > MaxLabelClasse:
			errs[cp+"classe"] = Msg("err.classe.lunga", MaxLabelClasse)
		case seen[strings.ToUpper(label)]:
			errs[cp+"classe"] = "err.classe.ripetuta"
		}
		seen[strings.ToUpper(label)] = true
		if c.Iscritti < 1 || c.Iscritti > 100 {
			errs[cp+"iscritti"] = "err.classe.iscritti"
		}
		if c.Assenti < 0 {
			errs[cp+"assenti"] = "err.numero.negativo"
		} else if c.Assenti > c.Iscritti {
			errs[cp+"assenti"] = "err.classe.assenti"
		}
		validaMotivi(c.Motivi, c.Assenti, cp+"motivi.", errs)
		sumAssenti += c.Assenti
		sumIscritti += c.Iscritti
	}
	if len(g.Classi) > 0 {
		// Class detail is optional and may cover some classes only: then
		// the classes' absent pupils are part of the total; when the
		// classes hold every pupil enrolled, they are the total.
		tutte := iscritti > 0 && sumIscritti == iscritti
		if g.Assenti != nil && tutte && sumAssenti != *g.Assenti {
			errs[p("assenti")] = Msg("err.assenti.somma_classi", *g.Assenti, sumAssenti)
		} else if g.Assenti != nil && sumAssenti > *g.Assenti {
			errs[p("assenti")] = Msg("err.assenti.parte_classi", *g.Assenti, sumAssenti)
		}
		if iscritti > 0 && sumIscritti > iscritti {
			errs[p("classi")] = Msg("err.classi.iscritti", sumIscritti, iscritti)
		}
	}
	return errs
}

func validaMotivi(m Motivi, assenti int, prefix string, errs map[string]string) {
	sum, all := 0, true
	m.each(func(name string, v *int) {
		if v == nil {
			all = false
			return
		}
		if *v < 0 {
			errs[prefix+name] = "err.numero.negativo"
		}
		sum += *v
	})
	if m.Empty() {
		return
	}
	if sum > assenti {
		errs[prefix[:len(prefix)-1]] = Msg("err.motivi.supera", sum, assenti)
	} else if all && sum != assenti {
		errs[prefix[:len(prefix)-1]] = Msg("err.motivi.somma", sum, assenti)
	}
}

// Normalize fills the plesso total from the classes when only these were
// given, and trims class labels, so that equal reports compare equal.
func (g *Giorno) Normalize() {
	for i := range g.Classi {
		g.Classi[i].Classe = strings.ToUpper(strings.TrimSpace(g.Classi[i].Classe))
	}
	if g.Assenti == nil && len(g.Classi) > 0 && !g.Chiuso {
		s := 0
		for _, c := range g.Classi {
			s += c.Assenti
		}
		g.Assenti = &s
	}
	g.MotivoChiusura = strings.TrimSpace(g.MotivoChiusura)
}

// IntPtr returns a pointer to n, for literals.
func IntPtr(n int) *int { return &n }
