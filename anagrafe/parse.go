// Package anagrafe reads the files that describe the territory's schools:
// the ministry's register (SCUANAGRAFESTAT, SCUANAGRAFEPAR), its per-plesso
// pupil counts, the ISTAT municipality list and the ATS district map. The
// parsers are pure: they return records or every error with its line number,
// and the store applies a parsed file in one transaction.
package anagrafe

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	ps "github.com/portalescuole/portalescuole"
)

// Kind is the layout of an import file.
type Kind string

const (
	KindStatali   Kind = "statali"   // MIM SCUANAGRAFESTAT
	KindParitarie Kind = "paritarie" // MIM SCUANAGRAFEPAR
	KindStudenti  Kind = "studenti"  // CODICESCUOLA,NUMEROSTUDENTI
	KindComuni    Kind = "comuni"    // ISTAT municipalities
	KindDistretti Kind = "distretti" // codice_istat,distretto[,nome_distretto]
)

// MaxRows bounds a file: the national register has about 60,000 rows.
const MaxRows = 200000

// LineError is one problem found in a file.
type LineError struct {
	Line int // 1-based physical line; 0 for the whole file
	Msg  string
}

func (e LineError) String() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("riga %d: %s", e.Line, e.Msg)
}

// FileError rejects a whole file; it lists up to MaxErrors problems.
type FileError struct {
	Errors []LineError
	More   int // problems beyond those listed
}

// MaxErrors is how many line errors are kept.
const MaxErrors = 50

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString("file rifiutato: ")
	for i, le := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(le.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "; e altri %d errori", e.More)
	}
	return b.String()
}

// Riga is one parsed row of a register file.
type Riga struct {
	Line     int
	Plesso   ps.Plesso
	Istituto ps.Istituto // zero for paritarie
}

// Studenti is one parsed row of the pupil-count file.
type Studenti struct {
	Line     int
	Plesso   string
	Studenti int
	// Soppresso is true when the file wrote "<=3" (small counts are
	// suppressed by the ministry); Studenti is then 3, the upper bound.
	Soppresso bool
}

// DistrettoRiga maps a municipality to a district.
type DistrettoRiga struct {
	Line        int
	CodiceIstat string
	Distretto   ps.Distretto
}

// File is a parsed import file; exactly one of the slices is filled.
type File struct {
	Kind      Kind
	Righe     []Riga
	Studenti  []Studenti
	Comuni    []ps.Comune
	Distretti []DistrettoRiga
	// Lines holds the line of each Comuni entry, for messages.
	Lines []int
}

var required = map[Kind][]string{
	KindStatali:   {"CODICEISTITUTORIFERIMENTO", "DENOMINAZIONEISTITUTORIFERIMENTO", "CODICESCUOLA", "DENOMINAZIONESCUOLA", "CODICECOMUNESCUOLA", "DESCRIZIONECOMUNE", "DESCRIZIONETIPOLOGIAGRADOISTRUZIONESCUOLA"},
	KindParitarie: {"CODICESCUOLA", "DENOMINAZIONESCUOLA", "CODICECOMUNESCUOLA", "DESCRIZIONECOMUNE", "DESCRIZIONETIPOLOGIAGRADOISTRUZIONESCUOLA"},
	KindStudenti:  {"CODICESCUOLA", "NUMEROSTUDENTI"},
	KindComuni:    {"CODICE_ISTAT", "NOME", "SIGLA_PROVINCIA", "CODICE_CATASTALE"},
	KindDistretti: {"CODICE_ISTAT", "DISTRETTO"},
}

// Detect names the layout of a header, or "" when it is none of ours.
func Detect(header []string) Kind {
	h := map[string]bool{}
	for _, c := range header {
		h[normHeader(c)] = true
	}
	switch {
	case h["NUMEROSTUDENTI"] && h["CODICESCUOLA"]:
		return KindStudenti
	case h["CODICEISTITUTORIFERIMENTO"] && h["CODICESCUOLA"]:
		return KindStatali
	case h["CODICESCUOLA"] && h["DENOMINAZIONESCUOLA"]:
		return KindParitarie
	case h["CODICE_ISTAT"] && h["CODICE_CATASTALE"]:
		return KindComuni
	case h["CODICE_ISTAT"] && h["DISTRETTO"]:
		return KindDistretti
	}
	return ""
}

func normHeader(s string) string {
	return strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
}

// Parse reads a whole file. want may be "" to detect the layout from the
// header. Any problem rejects the file: the result is then nil and the error
// a *FileError with line numbers.
func Parse(data []byte, want Kind) (*File, error) {
	data = toUTF8(data)
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	header, err := r.Read()
	if err == io.EOF {
		return nil, &FileError{Errors: []LineError{{0, "il file è vuoto"}}}
	} else if err != nil {
		return nil, &FileError{Errors: []LineError{{1, "intestazione non leggibile: " + csvMsg(err)}}}
	}
	kind := Detect(header)
	if want != "" && kind != want {
		if kind == "" {
			return nil, &FileError{Errors: []LineError{{1, fmt.Sprintf("intestazione non riconosciuta: mancano le colonne %s", strings.Join(missing(header, required[want]), ", "))}}}
		}
		return nil, &FileError{Errors: []LineError{{1, fmt.Sprintf("il file è di tipo %q, non %q", kind, want)}}}
	}
	if kind == "" {
		return nil, &FileError{Errors: []LineError{{1, "intestazione non riconosciuta: il file non è un'anagrafe MIM, un elenco studenti MIM, un elenco ISTAT dei comuni o una mappa dei distretti"}}}
	}
	if m := missing(header, required[kind]); len(m) > 0 {
		return nil, &FileError{Errors: []LineError{{1, "mancano le colonne " + strings.Join(m, ", ")}}}
	}
	col := map[string]int{}
	for i, c := range header {
		col[normHeader(c)] = i
	}
	p := &parser{kind: kind, col: col, file: &File{Kind: kind}, seen: map[string]int{}, fe: &FileError{}}
	rows := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line := 0
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			p.errorf(line, "riga non leggibile: %s", csvMsg(err))
			if errors.Is(err, csv.ErrQuote) || errors.Is(err, csv.ErrBareQuote) {
				// A broken quote swallows the rest of the file: stop here.
				break
			}
			continue
		}
		line, _ = r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		rows++
		if rows > MaxRows {
			p.errorf(line, "il file supera %d righe", MaxRows)
			break
		}
		if len(rec) != len(header) {
			p.errorf(line, "%d colonne invece di %d", len(rec), len(header))
			continue
		}
		p.row(line, rec)
	}
	if rows == 0 && len(p.fe.Errors) == 0 {
		p.errorf(0, "il file non contiene righe di dati")
	}
	if len(p.fe.Errors) > 0 {
		return nil, p.fe
	}
	return p.file, nil
}

func missing(header, want []string) []string {
	h := map[string]bool{}
	for _, c := range header {
		h[normHeader(c)] = true
	}
	var out []string
	for _, w := range want {
		if !h[w] {
			out = append(out, w)
		}
	}
	return out
}

func csvMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return "virgolette non chiuse o fuori posto"
	case errors.Is(err, csv.ErrFieldCount):
		return "numero di colonne errato"
	}
	return err.Error()
}

// sniffComma picks ';' when the header has more semicolons than commas, as
// Excel writes CSV with an Italian locale.
func sniffComma(data []byte) rune {
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

// toUTF8 reads files saved as Windows-1252/Latin-1 by old spreadsheets.
func toUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/8)
	for _, c := range b {
		out.WriteRune(rune(c))
	}
	return out.Bytes()
}

type parser struct {
	kind Kind
	col  map[string]int
	file *File
	seen map[string]int // key -> first line, to refuse duplicates
	fe   *FileError
}

func (p *parser) errorf(line int, format string, args ...any) {
	if len(p.fe.Errors) >= MaxErrors {
		p.fe.More++
		return
	}
	p.fe.Errors = append(p.fe.Errors, LineError{line, fmt.Sprintf(format, args...)})
}

func (p *parser) get(rec []string, name string) string {
	i, ok := p.col[name]
	if !ok {
		return ""
	}
	v := strings.TrimSpace(rec[i])
	if strings.EqualFold(v, "Non Disponibile") {
		return ""
	}
	return v
}

func (p *parser) dup(line int, key string) bool {
	if first, ok := p.seen[key]; ok {
		p.errorf(line, "%s ripetuto (già alla riga %d)", key, first)
		return true
	}
	p.seen[key] = line
	return false
}

var (
	reCatastale = regexp.MustCompile(`^[A-Z][0-9]{3}$`)
	reIstat     = regexp.MustCompile(`^[0-9]{6}$`)
	reSigla     = regexp.MustCompile(`^[A-Z]{2}$`)
	reDistretto = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

func (p *parser) row(line int, rec []string) {
	switch p.kind {
	case KindStatali, KindParitarie:
		p.registro(line, rec)
	case KindStudenti:
		p.studenti(line, rec)
	case KindComuni:
		p.comune(line, rec)
	case KindDistretti:
		p.distretto(line, rec)
	}
}

func (p *parser) registro(line int, rec []string) {
	codice := ps.NormalizeCodice(p.get(rec, "CODICESCUOLA"))
	if !ps.ValidCodice(codice) {
		p.errorf(line, "codice meccanografico %q non valido (10 caratteri, le prime due lettere della provincia)", codice)
		return
	}
	if p.dup(line, codice) {
		return
	}
	nome := p.get(rec, "DENOMINAZIONESCUOLA")
	if nome == "" {
		p.errorf(line, "manca la denominazione della scuola %s", codice)
		return
	}
	cat := strings.ToUpper(p.get(rec, "CODICECOMUNESCUOLA"))
	if !reCatastale.MatchString(cat) {
		p.errorf(line, "codice del comune %q non valido (codice catastale, es. D150)", cat)
		return
	}
	email, ok := emailScuola(p.get(rec, "INDIRIZZOEMAILSCUOLA"))
	if !ok {
		p.errorf(line, "indirizzo e-mail %q non valido: un solo indirizzo come nome@dominio.it, senza spazi né a capo (o vuoto, o \"Non Disponibile\")", truncateRunes(p.get(rec, "INDIRIZZOEMAILSCUOLA"), 80))
		return
	}
	pl := ps.Plesso{
		Codice:          codice,
		Nome:            nome,
		Grado:           ps.GradoFromDescrizione(p.get(rec, "DESCRIZIONETIPOLOGIAGRADOISTRUZIONESCUOLA"), codice),
		Paritaria:       p.kind == KindParitarie,
		Indirizzo:       p.get(rec, "INDIRIZZOSCUOLA"),
		CodiceCatastale: cat,
		ComuneNome:      p.get(rec, "DESCRIZIONECOMUNE"),
		Email:           email,
		Attivo:          true,
		Provincia:       ps.Provincia(codice),
	}
	r := Riga{Line: line, Plesso: pl}
	if p.kind == KindStatali {
		ist := ps.NormalizeCodice(p.get(rec, "CODICEISTITUTORIFERIMENTO"))
		if !ps.ValidCodice(ist) {
			p.errorf(line, "codice dell'istituto di riferimento %q non valido", ist)
			return
		}
		r.Plesso.Istituto = ist
		r.Istituto = ps.Istituto{Codice: ist, Nome: p.get(rec, "DENOMINAZIONEISTITUTORIFERIMENTO")}
		if r.Istituto.Nome == "" {
			r.Istituto.Nome = ist
		}
	}
	p.file.Righe = append(p.file.Righe, r)
}

func (p *parser) studenti(line int, rec []string) {
	codice := ps.NormalizeCodice(p.get(rec, "CODICESCUOLA"))
	if !ps.ValidCodice(codice) {
		p.errorf(line, "codice meccanografico %q non valido", codice)
		return
	}
	if p.dup(line, codice) {
		return
	}
	raw := strings.ReplaceAll(p.get(rec, "NUMEROSTUDENTI"), " ", "")
	s := Studenti{Line: line, Plesso: codice}
	if raw == "<=3" {
		s.Studenti, s.Soppresso = 3, true
	} else {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > ps.MaxIscritti {
			p.errorf(line, "numero di studenti %q non valido (intero tra 0 e %d)", raw, ps.MaxIscritti)
			return
		}
		s.Studenti = n
	}
	p.file.Studenti = append(p.file.Studenti, s)
}

func (p *parser) comune(line int, rec []string) {
	c := ps.Comune{
		CodiceIstat:     p.get(rec, "CODICE_ISTAT"),
		Nome:            p.get(rec, "NOME"),
		Provincia:       strings.ToUpper(p.get(rec, "SIGLA_PROVINCIA")),
		CodiceCatastale: strings.ToUpper(p.get(rec, "CODICE_CATASTALE")),
	}
	switch {
	case !reIstat.MatchString(c.CodiceIstat):
		p.errorf(line, "codice ISTAT %q non valido (6 cifre)", c.CodiceIstat)
	case c.Nome == "":
		p.errorf(line, "manca il nome del comune %s", c.CodiceIstat)
	case !reSigla.MatchString(c.Provincia):
		p.errorf(line, "sigla di provincia %q non valida", c.Provincia)
	case !reCatastale.MatchString(c.CodiceCatastale):
		p.errorf(line, "codice catastale %q non valido", c.CodiceCatastale)
	case p.dup(line, c.CodiceIstat):
	case p.dup(line, "catastale "+c.CodiceCatastale):
	default:
		p.file.Comuni = append(p.file.Comuni, c)
		p.file.Lines = append(p.file.Lines, line)
	}
}

func (p *parser) distretto(line int, rec []string) {
	d := DistrettoRiga{Line: line, CodiceIstat: p.get(rec, "CODICE_ISTAT")}
	d.Distretto.Codice = p.get(rec, "DISTRETTO")
	d.Distretto.Nome = p.get(rec, "NOME_DISTRETTO")
	if d.Distretto.Nome == "" {
		d.Distretto.Nome = d.Distretto.Codice
	}
	switch {
	case !reIstat.MatchString(d.CodiceIstat):
		p.errorf(line, "codice ISTAT %q non valido (6 cifre)", d.CodiceIstat)
	case !reDistretto.MatchString(d.Distretto.Codice):
		p.errorf(line, "codice distretto %q non valido (lettere, cifre, - e _, al massimo 32)", d.Distretto.Codice)
	case p.dup(line, d.CodiceIstat):
	default:
		p.file.Distretti = append(p.file.Distretti, d)
	}
}

// emailScuola reads a register's e-mail field: empty or "Non Disponibile"
// (the ministry's word for none) is no address; anything else must be one
// plain address (nome@dominio), else reminders to it would fail forever.
func emailScuola(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "Non Disponibile") {
		return "", true
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v || strings.ContainsAny(v, " \t\r\n") || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		return "", false
	}
	return strings.ToLower(v), true
}

// truncateRunes cuts s to n characters for a message.
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
