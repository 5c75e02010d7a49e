package sentinella

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	ps "github.com/portalescuole/portalescuole"
)

// Template is the documented layout of a class-register export: one row per
// class and day, or one row per day with an empty classe for the plesso total.
// Optional columns may be left out of the header.
var Template = []struct{ Col, Desc string }{
	{"data", "giorno di lezione, AAAA-MM-GG o GG/MM/AAAA (obbligatoria)"},
	{"classe", "classe, es. 3A; vuota per il totale del plesso"},
	{"iscritti", "iscritti della classe (obbligatoria con la classe)"},
	{"assenti", "alunni assenti (0 se nessuno; obbligatoria salvo chiusura)"},
	{"febbre_respiratori", "assenti per malattia con febbre o sintomi respiratori (facoltativa)"},
	{"gastrointestinali", "assenti per malattia gastrointestinale (facoltativa)"},
	{"altra_malattia", "assenti per altra malattia (facoltativa)"},
	{"non_malattia", "assenti non per malattia o motivo ignoto (facoltativa)"},
	{"chiusura", "motivo se il plesso era chiuso: sciopero, elezioni, maltempo, altro (facoltativa)"},
}

// TemplateCSV is the template offered for download: the header and
// commented examples. Lines starting with # are ignored, so the template
// uploaded unchanged is refused ("no data rows") instead of being saved as
// real days; the example dates are not dates a plesso could report.
const TemplateCSV = "data,classe,iscritti,assenti,febbre_respiratori,gastrointestinali,altra_malattia,non_malattia,chiusura\n" +
	"# Modello: le righe che iniziano con # sono ignorate. Scrivere sotto una riga per classe e giorno,\n" +
	"# oppure una riga per giorno con la classe vuota per il totale del plesso. Esempi (da non copiare):\n" +
	"# AAAA-MM-GG,1A,22,2,1,0,1,0,\n" +
	"# AAAA-MM-GG,1B,21,0,,,,,\n" +
	"# AAAA-MM-GG,,,,,,,,sciopero\n"

// MaxFileRows bounds an upload: a large plesso over two months.
const MaxFileRows = 20000

// Riga links a parsed day to the file lines it came from, for messages.
type Riga struct {
	Giorno ps.Giorno
	Lines  []int
	// LineaTotale is the line of the plesso total (0 if none), LineeClassi
	// the line of each of Giorno.Classi.
	LineaTotale int
	LineeClassi []int
}

// FileError lists a file's problems by line; the file is refused whole.
// Its Errors are message keys with their arguments (ps.Msg), in
// Messaggi: the web layer translates them, Error writes them in Italian.
type FileError struct{ Errors []string }

func (e *FileError) Error() string {
	out := make([]string, len(e.Errors))
	for i, m := range e.Errors {
		out[i] = Testo(m)
	}
	return strings.Join(out, "; ")
}

// Messaggi are the file's error messages in Italian by key; the arguments
// come back from ps.SplitMsg as text, hence %s for numbers too.
var Messaggi = map[string]string{
	"file.err.xlsx":         "il file Excel non si apre: salvarlo come .xlsx o come CSV",
	"file.err.fogli":        "il file Excel non ha fogli",
	"file.err.foglio":       "il primo foglio non si legge",
	"file.err.righe":        "il file supera %s righe",
	"file.err.virgolette":   "riga %s: virgolette non chiuse o riga non leggibile",
	"file.err.bomba":        "il file Excel, decompresso, supera %s MB: non è un registro di classe; caricare solo il foglio delle assenze, o un CSV",
	"file.err.compressione": "il file Excel ha una compressione anomala (%s): rifiutato; salvarlo di nuovo come .xlsx o come CSV",
	"file.err.danneggiato":  "il file Excel è danneggiato o non è un vero .xlsx: salvarlo di nuovo come .xlsx o come CSV",
	"file.err.vuoto":        "il file è vuoto",
	"file.err.colonna":      "riga %s: manca la colonna «%s» (vedi il modello)",
	"file.err.manca":        "riga %s: manca «%s»",
	"file.err.intero":       "riga %s: «%s» deve essere un intero tra 0 e %s, non %q",
	"file.err.data_manca":   "riga %s: manca la data (AAAA-MM-GG o GG/MM/AAAA)",
	"file.err.data":         "riga %s: data %q non valida (AAAA-MM-GG o GG/MM/AAAA)",
	"file.err.totale":       "riga %s: totale del plesso ripetuto per il %s",
	"file.err.altri":        "… e altri %s errori",
	"file.err.nessuna_riga": "il file non contiene righe di dati (le righe che iniziano con # sono ignorate)",
}

// Testo writes a message of a FileError in Italian.
func Testo(m string) string {
	k, args := ps.SplitMsg(m)
	f, ok := Messaggi[k]
	switch {
	case !ok:
		return m
	case len(args) > 0:
		return fmt.Sprintf(f, args...)
	}
	return f
}

// MaxFileErrors bounds the errors listed for one file.
const MaxFileErrors = 200

// ParseFile reads a CSV (comma or semicolon) or XLSX class-register export
// into days. It never panics; any bad line refuses the whole file.
func ParseFile(name string, data []byte) ([]Riga, error) {
	righe, errs := LeggiFile(name, data)
	if len(errs) > 0 {
		return nil, &FileError{errs}
	}
	return righe, nil
}

// LeggiFile reads a file as ParseFile does, but returns both the days read
// without error and every error of the file (in line order), so that the
// caller can check those days too and report all problems at once. Days
// touched by a bad line are left out.
func LeggiFile(name string, data []byte) ([]Riga, []string) {
	righe, err := leggi(name, data)
	var fe *FileError
	if errors.As(err, &fe) {
		return righe, fe.Errors
	} else if err != nil {
		return nil, []string{err.Error()}
	}
	return righe, nil
}

func leggi(name string, data []byte) ([]Riga, error) {
	var records [][]string
	var lines []int
	if isXLSX(name, data) {
		if err := ControllaXLSX(data); err != nil {
			return nil, err
		}
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxXLSXUnzip, UnzipXMLSizeLimit: 8 << 20})
		if err != nil {
			return nil, &FileError{[]string{"file.err.xlsx"}}
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, &FileError{[]string{"file.err.fogli"}}
		}
		// Row by row, never more than MaxFileRows: the sheet is not loaded
		// whole.
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return nil, &FileError{[]string{"file.err.foglio"}}
		}
		defer rows.Close()
		for i := 1; rows.Next(); i++ {
			if len(records) > MaxFileRows {
				return nil, &FileError{[]string{ps.Msg("file.err.righe", MaxFileRows)}}
			}
			r, err := rows.Columns()
			if err != nil {
				return nil, &FileError{[]string{"file.err.foglio"}}
			}
			if len(r) > maxColonne {
				r = r[:maxColonne]
			}
			if len(r) > 0 && strings.HasPrefix(strings.TrimSpace(r[0]), "#") {
				continue // a comment, as in the template
			}
			records = append(records, r)
			lines = append(lines, i)
		}
		if rows.Error() != nil {
			return nil, &FileError{[]string{"file.err.foglio"}}
		}
	} else {
		if !utf8.Valid(data) {
			var b strings.Builder
			for _, c := range data {
				b.WriteRune(rune(c)) // Latin-1 from old spreadsheets
			}
			data = []byte(b.String())
		}
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		r := csv.NewReader(bytes.NewReader(data))
		first, _, _ := bytes.Cut(data, []byte("\n"))
		if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
			r.Comma = ';'
		}
		r.FieldsPerRecord = -1
		r.Comment = '#' // the template's examples and notes
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				line := 0
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				return nil, &FileError{[]string{ps.Msg("file.err.virgolette", line)}}
			}
			if len(records) > MaxFileRows {
				return nil, &FileError{[]string{ps.Msg("file.err.righe", MaxFileRows)}}
			}
			if len(rec) > maxColonne {
				rec = rec[:maxColonne]
			}
			l, _ := r.FieldPos(0)
			records = append(records, rec)
			lines = append(lines, l)
		}
	}
	return parseRecords(records, lines)
}

// MaxXLSXUnzip bounds the decompressed size of an XLSX upload: a year of
// a large plesso's classes is a few MB of XML.
const MaxXLSXUnzip = 32 << 20

// maxRapporto bounds the compression ratio of a part of an XLSX larger than
// 1 MB: spreadsheets compress about 10:1, zip bombs 1000:1.
const maxRapporto = 200

// maxColonne bounds the cells read per row: the template has 9 columns.
const maxColonne = 64

// ControllaXLSX refuses a zip bomb before it is opened: it reads the
// central directory only, and refuses a total decompressed size above
// MaxXLSXUnzip or a part compressed more than maxRapporto:1. The sizes
// declared there also bound the decompression (archive/zip fails a part
// that inflates beyond its declared size).
func ControllaXLSX(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &FileError{[]string{"file.err.xlsx"}}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxXLSXUnzip || f.UncompressedSize64 > MaxXLSXUnzip {
			return &FileError{[]string{ps.Msg("file.err.bomba", MaxXLSXUnzip>>20)}}
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > maxRapporto*max(f.CompressedSize64, 1) {
			return &FileError{[]string{ps.Msg("file.err.compressione", f.Name)}}
		}
	}
	// The declared sizes are now known to be small: inflate every part once,
	// without keeping it, to refuse one that lies about its size or is
	// corrupt (archive/zip stops at the declared size plus one byte).
	for _, f := range zr.File {
		rc, err := f.Open()
		if err == nil {
			_, err = io.Copy(io.Discard, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
			if cerr := rc.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return &FileError{[]string{"file.err.danneggiato"}}
		}
	}
	return nil
}

func isXLSX(name string, data []byte) bool {
	return strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04"))
}

func parseRecords(records [][]string, lines []int) ([]Riga, error) {
	fe := &FileError{}
	more := 0
	add := func(line int, key string, args ...any) {
		if len(fe.Errors) < MaxFileErrors {
			fe.Errors = append(fe.Errors, ps.Msg(key, append([]any{line}, args...)...))
		} else {
			more++
		}
	}
	if len(records) == 0 {
		return nil, &FileError{[]string{"file.err.vuoto"}}
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var missing []string
	for _, req := range []string{"data", "assenti"} {
		if _, ok := col[req]; !ok {
			missing = append(missing, ps.Msg("file.err.colonna", 1, req))
		}
	}
	if missing != nil {
		return nil, &FileError{missing}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	num := func(line int, rec []string, name string, required bool) (*int, bool) {
		s := get(rec, name)
		if s == "" {
			if required {
				add(line, "file.err.manca", name)
				return nil, false
			}
			return nil, true
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > ps.MaxIscritti {
			add(line, "file.err.intero", name, ps.MaxIscritti, s)
			return nil, false
		}
		return &n, true
	}
	if len(records)-1 > MaxFileRows {
		return nil, &FileError{[]string{ps.Msg("file.err.righe", MaxFileRows)}}
	}
	byDay := map[string]int{}
	bad := map[int]bool{} // days with a bad line: left out of the result
	var out []Riga
	for k, rec := range records[1:] {
		line := lines[k+1]
		empty := true
		for _, v := range rec {
			empty = empty && strings.TrimSpace(v) == ""
		}
		if empty {
			continue
		}
		ds := get(rec, "data")
		d, err := time.Parse(ps.DateLayout, ds)
		if err != nil {
			d, err = time.Parse("02/01/2006", ds)
		}
		if err != nil {
			if ds == "" {
				add(line, "file.err.data_manca")
			} else {
				add(line, "file.err.data", ds)
			}
			// The rest of the line is still checked, for a complete list.
			num(line, rec, "assenti", false)
			continue
		}
		key := d.Format(ps.DateLayout)
		idx, ok := byDay[key]
		if !ok {
			idx = len(out)
			byDay[key] = idx
			out = append(out, Riga{Giorno: ps.Giorno{Giorno: d}})
		}
		g := &out[idx].Giorno
		out[idx].Lines = append(out[idx].Lines, line)
		if chiusura := strings.ToLower(get(rec, "chiusura")); chiusura != "" {
			g.Chiuso, g.MotivoChiusura = true, chiusura
			if out[idx].LineaTotale == 0 {
				out[idx].LineaTotale = line
			}
			continue
		}
		var m ps.Motivi
		okAll := true
		for _, f := range []struct {
			name string
			dst  **int
		}{{"febbre_respiratori", &m.Febbre}, {"gastrointestinali", &m.Gastro}, {"altra_malattia", &m.AltraMalattia}, {"non_malattia", &m.NonMalattia}} {
			v, ok := num(line, rec, f.name, false)
			okAll = okAll && ok
			*f.dst = v
		}
		assenti, ok1 := num(line, rec, "assenti", true)
		classe := get(rec, "classe")
		if classe == "" {
			switch {
			case g.Assenti != nil:
				add(line, "file.err.totale", key)
				bad[idx] = true
			case !ok1 || !okAll:
				bad[idx] = true
			default:
				g.Assenti, g.Motivi = assenti, m
				out[idx].LineaTotale = line
			}
			continue
		}
		iscritti, ok2 := num(line, rec, "iscritti", true)
		if !ok1 || !ok2 || !okAll {
			bad[idx] = true
			continue
		}
		g.Classi = append(g.Classi, ps.AssenzaClasse{Classe: classe, Iscritti: *iscritti, Assenti: *assenti, Motivi: m})
		out[idx].LineeClassi = append(out[idx].LineeClassi, line)
	}
	if more > 0 {
		fe.Errors = append(fe.Errors, ps.Msg("file.err.altri", more))
	}
	if len(fe.Errors) > 0 {
		good := out[:0]
		for i, r := range out {
			if !bad[i] {
				good = append(good, r)
			}
		}
		return good, fe
	}
	if len(out) == 0 {
		return nil, &FileError{[]string{"file.err.nessuna_riga"}}
	}
	return out, nil
}

// Lines formats the lines of a day for messages: "riga 4" or "righe 4, 5".
func (r Riga) LinesText() string {
	parts := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		parts[i] = strconv.Itoa(l)
	}
	if len(parts) == 1 {
		return "riga " + parts[0]
	}
	return "righe " + strings.Join(parts, ", ")
}
