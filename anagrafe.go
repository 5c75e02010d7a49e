package portalescuole

import "time"

// Comune is a municipality, keyed by its ISTAT code; the MIM files name it by
// its cadastral (Belfiore) code, hence both.
type Comune struct {
	CodiceIstat     string
	Nome            string
	Provincia       string // sigla, e.g. "CR"
	CodiceCatastale string
	Distretto       string // ATS district code, "" when not assigned
}

// Distretto is an ATS district; the list is configurable.
type Distretto struct {
	Codice string
	Nome   string
}

// Istituto is the institution (istituzione scolastica) plessi belong to.
type Istituto struct {
	Codice string
	Nome   string
}

// Plesso is one school building with its own codice meccanografico and
// credentials: the unit of reporting.
type Plesso struct {
	Codice          string
	Nome            string
	Istituto        string // codice of the istituto, "" for paritarie
	Grado           Grado
	Paritaria       bool
	Indirizzo       string
	CodiceCatastale string // municipality, joins Comune.CodiceCatastale
	ComuneNome      string // as written in the source file
	Email           string
	Attivo          bool // false once a register import retired it

	// Filled by queries that join the municipality.
	Provincia string
	Distretto string
}

// AnnoScolastico is a school year named by the year it starts in:
// 2025 is "2025/26", running from 1 September to 31 August.
type AnnoScolastico int

// AnnoDi returns the school year a day belongs to.
func AnnoDi(d time.Time) AnnoScolastico {
	if d.Month() >= time.September {
		return AnnoScolastico(d.Year())
	}
	return AnnoScolastico(d.Year() - 1)
}

// String formats the year as users write it: "2025/26".
func (a AnnoScolastico) String() string {
	y := int(a)
	next := (y + 1) % 100
	return itoa(y) + "/" + string([]byte{byte('0' + next/10), byte('0' + next%10)})
}

// Inizio is the first day of the school year (1 September).
func (a AnnoScolastico) Inizio() time.Time {
	return time.Date(int(a), time.September, 1, 0, 0, 0, 0, time.UTC)
}

// ParseAnno reads "2025/26", "2025/2026", "2025-26" or "2025".
func ParseAnno(s string) (AnnoScolastico, bool) {
	if len(s) < 4 {
		return 0, false
	}
	y := 0
	for i := 0; i < 4; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		y = y*10 + int(c-'0')
	}
	rest := s[4:]
	switch {
	case rest == "":
	case len(rest) == 3 && (rest[0] == '/' || rest[0] == '-'):
		if rest[1:] != AnnoScolastico(y).String()[5:] {
			return 0, false
		}
	case len(rest) == 5 && (rest[0] == '/' || rest[0] == '-'):
		if rest[1:] != itoa(y+1) {
			return 0, false
		}
	default:
		return 0, false
	}
	if y < 2000 || y > 2100 {
		return 0, false
	}
	return AnnoScolastico(y), true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Date formats a civil date as stored and shown: YYYY-MM-DD.
const DateLayout = "2006-01-02"
