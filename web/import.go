package web

import (
	"errors"
	"io"
	"net/http"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/anagrafe"
	"github.com/portalescuole/portalescuole/store"
)

type importData struct {
	Report   *store.ImportReport
	Rejected *anagrafe.FileError
	Error    string
	History  []store.ImportReport
	Anno     string
	Anni     []ps.AnnoScolastico
}

func (s *Server) importData(r *http.Request) importData {
	h, _ := s.db.ImportRuns(r.Context(), 20)
	cur := ps.AnnoDi(s.now())
	return importData{History: h, Anno: cur.String(), Anni: []ps.AnnoScolastico{cur, cur - 1, cur - 2}}
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, http.StatusOK, "import", s.newPage(r, c, "admin.import", s.importData(r)))
}

func (s *Server) importFile(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d := s.importData(r)
	fail := func(status int, msg string) {
		d.Error = msg
		s.render(w, r, status, "import", s.newPage(r, c, "admin.import", d))
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(http.StatusRequestEntityTooLarge, tr(c.lang, "err.too_large"))
			return
		}
		fail(http.StatusUnprocessableEntity, tr(c.lang, "err.import.file"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, fh, err := r.FormFile("file")
	if err != nil {
		fail(http.StatusUnprocessableEntity, tr(c.lang, "err.import.file"))
		return
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		fail(http.StatusRequestEntityTooLarge, tr(c.lang, "err.too_large"))
		return
	}
	if allerta.IsInfluNet(data) {
		rep, err := allerta.ImportInfluNet(r.Context(), s.db, actor(r, c.user), data,
			store.ImportOptions{Filename: fh.Filename, DryRun: r.FormValue("dry") == "1"})
		if err != nil {
			fail(http.StatusUnprocessableEntity, "InfluNet: "+err.Error())
			return
		}
		d.Report = rep
		d.History, _ = s.db.ImportRuns(r.Context(), 20)
		s.render(w, r, http.StatusOK, "import", s.newPage(r, c, "admin.import", d))
		return
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	anno, _ := ps.ParseAnno(r.FormValue("anno"))
	d.Anno = r.FormValue("anno")
	rep, err := s.db.Import(r.Context(), actor(r, c.user), data, store.ImportOptions{
		Filename: fh.Filename, Anno: anno, DryRun: r.FormValue("dry") == "1", Province: store.ParseProvince(st.Province),
	})
	var fe *anagrafe.FileError
	switch {
	case errors.As(err, &fe):
		s.db.Audit(r.Context(), actor(r, c.user), "import.reject", "import", map[string]any{"file": fh.Filename, "errori": fe.Error()})
		d.Rejected = fe
		s.render(w, r, http.StatusUnprocessableEntity, "import", s.newPage(r, c, "admin.import", d))
		return
	case ps.ErrorCode(err) == ps.EInvalid:
		fail(http.StatusUnprocessableEntity, tr(c.lang, ps.ErrorMessage(err)))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	d.Report = rep
	d.History, _ = s.db.ImportRuns(r.Context(), 20)
	s.render(w, r, http.StatusOK, "import", s.newPage(r, c, "admin.import", d))
}
