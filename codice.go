package portalescuole

import "strings"

// Grado is the order of school of a plesso. Only primaria and the two
// secondarie are in the surveillance scope (pupils aged 6–19).
type Grado string

const (
	Infanzia    Grado = "infanzia"
	Primaria    Grado = "primaria"
	Secondaria1 Grado = "secondaria1"
	Secondaria2 Grado = "secondaria2"
	AltroGrado  Grado = "altro"
	GradoIgnoto Grado = ""
)

// Gradi lists the grades in display order.
var Gradi = []Grado{Primaria, Secondaria1, Secondaria2, Infanzia, AltroGrado}

// InScope reports whether the grade is part of the 6–19 surveillance.
func (g Grado) InScope() bool {
	return g == Primaria || g == Secondaria1 || g == Secondaria2
}

// NormalizeCodice upper-cases and trims a codice meccanografico.
func NormalizeCodice(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidCodice reports whether s has the shape of a codice meccanografico:
// 10 characters, the province's two letters, then letters and digits.
// (The check character's algorithm is not public, so it is not verified.)
func ValidCodice(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		c := s[i]
		isLetter := c >= 'A' && c <= 'Z'
		isDigit := c >= '0' && c <= '9'
		if i < 2 && !isLetter {
			return false
		}
		if !isLetter && !isDigit {
			return false
		}
	}
	return true
}

// Provincia returns the province sigla a codice starts with (e.g. "CR").
func Provincia(codice string) string {
	if len(codice) < 2 {
		return ""
	}
	return codice[:2]
}

// GradoFromCodice derives the grade from the 3rd–4th characters of a codice.
// Paritarie (1A, 1E, 1M) follow the same letters after the digit.
func GradoFromCodice(codice string) Grado {
	if len(codice) < 4 {
		return GradoIgnoto
	}
	t := codice[2:4]
	switch t {
	case "AA", "1A":
		return Infanzia
	case "EE", "1E":
		return Primaria
	case "MM", "1M":
		return Secondaria1
	case "IC", "IS", "IP", "CT", "EH", "ED", "VC", "RH", "1B", "1C", "1D":
		// Istituti comprensivi/superiori, adult-education centres, boarding
		// schools: institutions or special plessi, not a single order.
		return AltroGrado
	}
	if t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z' {
		// PS, PC, PL, PM, TD, TF, TL, TA, TE, RI, RC, RA, RF, SL, DI, ...
		return Secondaria2
	}
	if t[0] == '1' {
		// Other paritarie: secondaria di II grado (1T, 1P, ...).
		return Secondaria2
	}
	return AltroGrado
}

// GradoFromDescrizione maps the MIM DESCRIZIONETIPOLOGIAGRADOISTRUZIONESCUOLA
// to a grade, falling back to the code when the text is not recognised.
func GradoFromDescrizione(desc, codice string) Grado {
	d := strings.ToUpper(desc)
	switch {
	case strings.Contains(d, "INFANZIA"):
		return Infanzia
	case strings.Contains(d, "PRIMARIA") && !strings.Contains(d, "SECONDARIA"):
		return Primaria
	case strings.Contains(d, "PRIMO GRADO") || strings.Contains(d, "I GRADO") && !strings.Contains(d, "II GRADO"):
		return Secondaria1
	case strings.Contains(d, "LICEO") || strings.Contains(d, "ISTITUTO TECNICO") || strings.Contains(d, "ISTITUTO PROFESSIONALE") ||
		strings.Contains(d, "SECONDO GRADO") || strings.Contains(d, "II GRADO") || strings.Contains(d, "ISTITUTO D'ARTE") ||
		strings.Contains(d, "ISTITUTO MAGISTRALE") || strings.Contains(d, "SCUOLA MAGISTRALE"):
		return Secondaria2
	case strings.Contains(d, "ISTITUTO COMPRENSIVO") || strings.Contains(d, "ISTITUTO SUPERIORE") || strings.Contains(d, "CONVITTO") ||
		strings.Contains(d, "EDUCANDATO") || strings.Contains(d, "CTP") || strings.Contains(d, "CPIA"):
		return AltroGrado
	}
	return GradoFromCodice(codice)
}
