package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
)

type fileData struct {
	Plesso   *ps.Plesso
	Template []struct{ Col, Desc string }
	Errors   []string
	Righe    []rigaAnteprima
	Cambiati int // days already reported that the file changes
	Nome     string
	Dati     string // the file, base64, carried to the confirmation
	SHA      string
}

// rigaAnteprima is a day of the preview with what is stored now.
type rigaAnteprima struct {
	sentinella.Riga
	Attuale *ps.Rilevazione
	Stato   string // "nuovo", "modificato", "invariato"
}

// maxRegistroFile bounds a class-register file.
const maxRegistroFile = 4 << 20

func (s *Server) fileBase(c *reqCtx) *fileData {
	return &fileData{Plesso: c.plesso, Template: sentinella.Template}
}

func (s *Server) filePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, http.StatusOK, "assenze_file", s.newPage(r, c, "file.title", s.fileBase(c)))
}

func (s *Server) fileModello(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="modello-assenze.csv"`)
	io.WriteString(w, sentinella.TemplateCSV)
}

// fileUpload previews (step 1) or commits (step 2, "conferma") a file. The
// file travels back with the preview page, so the commit saves exactly what
// was previewed, in one transaction.
func (s *Server) fileUpload(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d := s.fileBase(c)
	again := func(status int) {
		s.render(w, r, status, "assenze_file", s.newPage(r, c, "file.title", d))
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			d.Errors = []string{tr(c.lang, "err.too_large")}
			again(http.StatusRequestEntityTooLarge)
			return
		}
		d.Errors = []string{tr(c.lang, "err.import.file")}
		again(http.StatusUnprocessableEntity)
		return
	}
	defer r.MultipartForm.RemoveAll()
	var data []byte
	if r.FormValue("conferma") == "1" {
		var err error
		data, err = base64.StdEncoding.DecodeString(r.FormValue("dati"))
		d.Nome = r.FormValue("nome")
		if err != nil || len(data) > maxRegistroFile {
			d.Errors = []string{tr(c.lang, "err.import.file")}
			again(http.StatusUnprocessableEntity)
			return
		}
	} else {
		f, fh, err := r.FormFile("file")
		if err != nil {
			d.Errors = []string{tr(c.lang, "err.import.file")}
			again(http.StatusUnprocessableEntity)
			return
		}
		data, err = io.ReadAll(io.LimitReader(f, maxRegistroFile+1))
		f.Close()
		if err != nil || len(data) > maxRegistroFile {
			d.Errors = []string{tr(c.lang, "err.too_large")}
			again(http.StatusRequestEntityTooLarge)
			return
		}
		d.Nome = fh.Filename
	}
	sum := sha256.Sum256(data)
	d.SHA = hex.EncodeToString(sum[:8])
	// Every error of the file at once: the lines that do not read, and the
	// rules of the days that do.
	righe, perrs := sentinella.LeggiFile(d.Nome, data)
	for i, m := range perrs {
		perrs[i] = tr(c.lang, m) // keys of sentinella.Messaggi
	}
	errs := s.validaFile(r, c, righe)
	if len(perrs) > 0 || len(errs) > 0 {
		d.Errors = ordinaErrori(append(perrs, errs...))
		s.db.Audit(r.Context(), actor(r, c.user), "assenze.file.reject", "plesso:"+c.plesso.Codice, map[string]any{"file": d.Nome, "errori": len(d.Errors)})
		again(http.StatusUnprocessableEntity)
		return
	}
	prev, err := s.anteprima(r, c, righe)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Righe = prev
	for _, p := range prev {
		if p.Stato == "modificato" {
			d.Cambiati++
		}
	}
	d.Dati = base64.StdEncoding.EncodeToString(data)
	if r.FormValue("conferma") != "1" {
		again(http.StatusOK) // the preview: nothing saved
		return
	}
	if d.Cambiati > 0 && r.FormValue("sovrascrivi") != "1" {
		// Days already reported are replaced only on an explicit request.
		d.Errors = []string{tr(c.lang, "file.sovrascrivi.err")}
		again(http.StatusUnprocessableEntity)
		return
	}
	giorni := make([]ps.Giorno, len(righe))
	for i, rg := range righe {
		giorni[i] = rg.Giorno
	}
	res, verrs, err := sentinella.Invia(r.Context(), s.db, actor(r, c.user), c.plesso, giorni, "file", func(i int) string { return strconv.Itoa(i) + "|" }, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(verrs) > 0 {
		d.Righe = nil
		d.Errors = fileErrors(c.lang, righe, verrs)
		again(http.StatusUnprocessableEntity)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "assenze.saved", res.Nuovi, res.Corretti, res.Invariati))
	http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/assenze", http.StatusSeeOther)
}

// validaFile runs the same checks as Invia on the days read, without
// saving; it normalises them in place (the preview shows the totals).
func (s *Server) validaFile(r *http.Request, c *reqCtx, righe []sentinella.Riga) []string {
	if len(righe) == 0 {
		return nil
	}
	giorni := make([]ps.Giorno, len(righe))
	for i, rg := range righe {
		giorni[i] = rg.Giorno
	}
	errs, err := sentinella.Valida(r.Context(), s.db, c.plesso, giorni, func(i int) string { return strconv.Itoa(i) + "|" }, nil)
	if err != nil {
		return []string{tr(c.lang, "err.internal")}
	}
	for i := range righe {
		righe[i].Giorno = giorni[i]
	}
	return fileErrors(c.lang, righe, errs)
}

// anteprima pairs each day of the file with what is stored now.
func (s *Server) anteprima(r *http.Request, c *reqCtx, righe []sentinella.Riga) ([]rigaAnteprima, error) {
	from, to := righe[0].Giorno.Giorno, righe[0].Giorno.Giorno
	for _, rg := range righe {
		if d := rg.Giorno.Giorno; d.Before(from) {
			from = d
		} else if d.After(to) {
			to = d
		}
	}
	stored, err := s.db.Rilevazioni(r.Context(), c.plesso.Codice, from, to)
	if err != nil {
		return nil, err
	}
	byDay := map[string]*ps.Rilevazione{}
	for i := range stored {
		byDay[stored[i].Giorno.Giorno.Format(ps.DateLayout)] = &stored[i]
	}
	out := make([]rigaAnteprima, len(righe))
	for i, rg := range righe {
		st := byDay[rg.Giorno.Giorno.Format(ps.DateLayout)]
		out[i] = rigaAnteprima{Riga: rg, Attuale: st, Stato: "nuovo"}
		switch {
		case sentinella.Cambia(st, rg.Giorno):
			out[i].Stato = "modificato"
		case st != nil:
			out[i].Stato = "invariato"
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Giorno.Giorno.Before(out[j].Giorno.Giorno) })
	return out, nil
}

// fileErrors turns "i|campo" paths into "riga N (data), classe 1A, colonna
// «assenti»: messaggio", naming the file's lines and columns, not the
// internal field paths.
func fileErrors(lang string, righe []sentinella.Riga, errs map[string]string) []string {
	var out []string
	for k, v := range errs {
		msg := tr(lang, v)
		idx, field, _ := strings.Cut(k, "|")
		i, err := strconv.Atoi(idx)
		if err != nil || i >= len(righe) {
			out = append(out, msg)
			continue
		}
		rg := righe[i]
		lines := rg.Lines
		var where []string
		if strings.HasPrefix(field, "classi[") {
			j, _ := strconv.Atoi(field[len("classi["):strings.Index(field, "]")])
			rest := field[strings.Index(field, "]")+1:]
			rest = strings.TrimPrefix(rest, ".")
			if j < len(rg.LineeClassi) {
				lines = []int{rg.LineeClassi[j]}
			}
			if j < len(rg.Giorno.Classi) {
				where = append(where, tr(lang, "file.classe", rg.Giorno.Classi[j].Classe))
			}
			field = rest
		} else if rg.LineaTotale > 0 && field != "giorno" && field != "classi" {
			lines = []int{rg.LineaTotale}
		}
		if col := colonnaFile(lang, field); col != "" {
			where = append(where, col)
		}
		head := righeText(lang, lines) + " (" + rg.Giorno.Giorno.Format("02/01/2006") + ")"
		if len(where) > 0 {
			head += ", " + strings.Join(where, ", ")
		}
		out = append(out, head+": "+msg)
	}
	return ordinaErrori(out)
}

// colonnaFile names a field of a day as a column of the file.
func colonnaFile(lang, field string) string {
	switch {
	case field == "giorno":
		return tr(lang, "file.campo.data")
	case field == "motivo_chiusura":
		return tr(lang, "file.campo.chiusura")
	case field == "motivi":
		return tr(lang, "file.campo.motivi")
	case strings.HasPrefix(field, "motivi."):
		return tr(lang, "file.campo.colonna", strings.TrimPrefix(field, "motivi."))
	case field == "assenti", field == "iscritti", field == "classe", field == "classi":
		return tr(lang, "file.campo."+field)
	}
	return ""
}

func righeText(lang string, lines []int) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strconv.Itoa(l)
	}
	if len(parts) == 1 {
		return tr(lang, "file.riga", parts[0])
	}
	return tr(lang, "file.righe", strings.Join(parts, ", "))
}

var primoNumero = regexp.MustCompile(`[0-9]+`)

// ordinaErrori sorts messages by their first line number.
func ordinaErrori(errs []string) []string {
	line := func(s string) int {
		if strings.HasPrefix(s, "…") {
			return math.MaxInt // "… and N more" closes the list
		}
		n, _ := strconv.Atoi(primoNumero.FindString(s))
		return n
	}
	sort.SliceStable(errs, func(i, j int) bool {
		if a, b := line(errs[i]), line(errs[j]); a != b {
			return a < b
		}
		return errs[i] < errs[j]
	})
	return errs
}
