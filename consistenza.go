package portalescuole

import (
	"strconv"
	"strings"
	"time"
)

// Consistenza is one revision of a plesso's figures for a school year: the
// pupils enrolled aged 6–19 (iscritti) and the number of classes (classi).
// Revisions are never updated: a change is a new row with its effective date
// (ValidoDal), and the row in force on a day is the latest revision among
// those already effective.
type Consistenza struct {
	ID        int64
	Plesso    string
	Anno      AnnoScolastico
	Revisione int
	Iscritti  int
	Classi    int
	ValidoDal time.Time
	Note      string
	CreatoIl  time.Time
	CreatoDa  string // username
}

// Bounds of the enrolment form. The largest plesso in Italy has about 2,500
// pupils; the bound is generous so that only typing slips are refused.
const (
	MaxIscritti = 5000
	MaxClassi   = 250
	MaxNote     = 500
	// An average class outside this range is unusual enough to ask the
	// secretary to confirm, but not to refuse.
	MinMediaClasse = 10
	MaxMediaClasse = 30
)

// ConsistenzaInput is what the form (or any other writer) submits, as text,
// so that "12a" and "" are reported rather than lost in a conversion.
type ConsistenzaInput struct {
	Anno      string
	Iscritti  string
	Classi    string
	ValidoDal string
	Note      string
	Conferma  bool // the user confirmed an unusual average class size
}

// ParseConsistenza validates input and returns the figures to store. Field
// errors carry message keys; an unusual average class size without
// confirmation is reported under the key "conferma".
func ParseConsistenza(in ConsistenzaInput, today time.Time) (Consistenza, error) {
	var c Consistenza
	fields := map[string]string{}

	anno, ok := ParseAnno(strings.TrimSpace(in.Anno))
	switch {
	case strings.TrimSpace(in.Anno) == "":
		fields["anno"] = "err.anno.required"
	case !ok:
		fields["anno"] = "err.anno.format"
	case anno > AnnoDi(today)+1 || anno < AnnoDi(today)-5:
		fields["anno"] = "err.anno.range"
	}
	c.Anno = anno

	c.Iscritti = parseCount(in.Iscritti, "iscritti", MaxIscritti, fields)
	c.Classi = parseCount(in.Classi, "classi", MaxClassi, fields)
	if _, bad := fields["classi"]; !bad && c.Classi < 1 && strings.TrimSpace(in.Classi) != "" {
		fields["classi"] = "err.classi.min"
	}
	if _, bad := fields["iscritti"]; !bad {
		if _, bad := fields["classi"]; !bad && c.Iscritti < c.Classi {
			fields["iscritti"] = "err.iscritti.lt_classi"
		}
	}

	if v := strings.TrimSpace(in.ValidoDal); v != "" {
		// Browsers send YYYY-MM-DD from a date input; old ones without it
		// leave a text box where Italians type DD/MM/YYYY.
		d, err := time.Parse(DateLayout, v)
		if err != nil {
			d, err = time.Parse("02/01/2006", v)
		}
		if err != nil {
			fields["valido_dal"] = "err.data.format"
		} else {
			c.ValidoDal = d
			if _, bad := fields["anno"]; !bad && (d.Before(anno.Inizio()) || !d.Before((anno + 1).Inizio())) {
				fields["valido_dal"] = "err.valido_dal.fuori_anno"
			}
		}
	}

	c.Note = strings.TrimSpace(in.Note)
	if len([]rune(c.Note)) > MaxNote {
		fields["note"] = "err.note.long"
	}

	if len(fields) == 0 && !in.Conferma {
		if MediaFuoriNorma(c.Iscritti, c.Classi) {
			fields["conferma"] = "warn.media_classe"
		}
	}
	if len(fields) > 0 {
		return c, &Error{Code: EInvalid, Message: "err.form", Fields: fields}
	}
	return c, nil
}

// MediaFuoriNorma reports whether the average class size is outside the
// usual 10–30 range.
func MediaFuoriNorma(iscritti, classi int) bool {
	if classi <= 0 {
		return false
	}
	m := float64(iscritti) / float64(classi)
	return m < MinMediaClasse || m > MaxMediaClasse
}

// parseCount reads a whole number in [0, max]; it accepts thousands written
// with a dot ("1.200"), as Italians often do, and refuses everything else.
func parseCount(s, field string, max int, fields map[string]string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		fields[field] = "err." + field + ".required"
		return 0
	}
	if strings.Count(s, ".") > 0 && isThousands(s) {
		s = strings.ReplaceAll(s, ".", "")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			if r == '-' {
				fields[field] = "err.numero.negativo"
			} else {
				fields[field] = "err.numero.intero"
			}
			return 0
		}
	}
	if len(s) > 9 {
		fields[field] = "err." + field + ".max"
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fields[field] = "err.numero.intero"
		return 0
	}
	if n > max {
		fields[field] = "err." + field + ".max"
		return 0
	}
	return n
}

// isThousands reports whether s looks like 1.234 or 12.345.678.
func isThousands(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// IscrittiImplausibili reports whether a new pupil count is so far from the
// reference (the figures in force, or the ministry's count) that a typing
// slip is likelier than a real change: more than double or less than half,
// beyond a margin of 20 pupils that small plessi can gain or lose in a year.
func IscrittiImplausibili(nuovi, riferimento int) bool {
	if riferimento <= 0 {
		return false
	}
	return nuovi > 2*riferimento+20 || 2*nuovi+40 < riferimento
}
