package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
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
	Righe    []sentinella.Riga
	Nome     string
	Dati     string // the file, base64, carried to the confirmation
	SHA      string
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
	righe, err := sentinella.ParseFile(d.Nome, data)
	var fe *sentinella.FileError
	if errors.As(err, &fe) {
		d.Errors = fe.Errors
		s.db.Audit(r.Context(), actor(r, c.user), "assenze.file.reject", "plesso:"+c.plesso.Codice, map[string]any{"file": d.Nome, "errori": len(fe.Errors)})
		again(http.StatusUnprocessableEntity)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	giorni := make([]ps.Giorno, len(righe))
	for i, rg := range righe {
		giorni[i] = rg.Giorno
	}
	if r.FormValue("conferma") != "1" {
		// Preview: the commit's checks, nothing saved.
		if errs := s.validaFile(r, c, righe); len(errs) > 0 {
			d.Errors = errs
			again(http.StatusUnprocessableEntity)
			return
		}
		d.Righe = righe
		d.Dati = base64.StdEncoding.EncodeToString(data)
		again(http.StatusOK)
		return
	}
	res, verrs, err := sentinella.Invia(r.Context(), s.db, actor(r, c.user), c.plesso, giorni, "file", func(i int) string { return strconv.Itoa(i) + "|" })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(verrs) > 0 {
		d.Errors = fileErrors(righe, verrs)
		again(http.StatusUnprocessableEntity)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "assenze.saved", res.Nuovi, res.Corretti, res.Invariati))
	http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/assenze", http.StatusSeeOther)
}

// validaFile runs the same checks as Invia, without saving, for the preview.
func (s *Server) validaFile(r *http.Request, c *reqCtx, righe []sentinella.Riga) []string {
	giorni := make([]ps.Giorno, len(righe))
	for i, rg := range righe {
		giorni[i] = rg.Giorno
	}
	errs, err := sentinella.Valida(r.Context(), s.db, c.plesso, giorni, func(i int) string { return strconv.Itoa(i) + "|" })
	if err != nil {
		return []string{tr(c.lang, "err.internal")}
	}
	return fileErrors(righe, errs)
}

// fileErrors turns "i|campo" paths into "riga N (data): campo: messaggio".
func fileErrors(righe []sentinella.Riga, errs map[string]string) []string {
	var out []string
	for k, v := range errs {
		idx, field, _ := strings.Cut(k, "|")
		i, err := strconv.Atoi(idx)
		if err != nil || i >= len(righe) {
			out = append(out, v)
			continue
		}
		out = append(out, righe[i].LinesText()+" ("+righe[i].Giorno.Giorno.Format("02/01/2006")+"), "+field+": "+v)
	}
	sort.Strings(out)
	return out
}
