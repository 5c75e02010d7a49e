package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

type auditData struct {
	F       ps.AuditFilter
	From    string
	To      string
	Entries []ps.AuditEntry
	Total   int
	Next    string
	Prev    string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	f := ps.AuditFilter{Username: strings.TrimSpace(q.Get("utente")), Action: strings.TrimSpace(q.Get("azione")),
		Entity: strings.TrimSpace(q.Get("oggetto")), Limit: 100}
	d := auditData{From: q.Get("dal"), To: q.Get("al")}
	if t, err := time.ParseInLocation(ps.DateLayout, d.From, rome); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation(ps.DateLayout, d.To, rome); err == nil {
		f.To = t.AddDate(0, 0, 1)
	}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if f.Offset < 0 {
		f.Offset = 0
	}
	entries, total, err := s.db.FindAudit(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.F, d.Entries, d.Total = f, entries, total
	page := func(off int) string {
		v := q
		v.Set("offset", strconv.Itoa(off))
		return "/admin/audit?" + v.Encode()
	}
	if f.Offset+len(entries) < total {
		d.Next = page(f.Offset + f.Limit)
	}
	if f.Offset > 0 {
		d.Prev = page(max(0, f.Offset-f.Limit))
	}
	s.render(w, r, http.StatusOK, "audit", s.newPage(r, c, "admin.audit", d))
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "settings", s.newPage(r, c, "admin.settings", st))
}

var settingsOrder = []string{"nome_ats", "email_assistenza", "numero_verde", "orari_assistenza", "province", "mittente_email", "url_portale", "finestre", "email_allerte", "quota_iscritti", "minimo_plessi", "motivi_min_plessi", "pubblico_attivo", "pubblico_livello", "pubblico_min_plessi", "pubblico_min_alunni"}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	st := store.Settings{
		NomeATS:         strings.TrimSpace(r.PostFormValue("nome_ats")),
		EmailAssistenza: strings.TrimSpace(r.PostFormValue("email_assistenza")),
		NumeroVerde:     strings.TrimSpace(r.PostFormValue("numero_verde")),
		OrariAssistenza: strings.TrimSpace(r.PostFormValue("orari_assistenza")),
		Province:        strings.ToUpper(strings.TrimSpace(r.PostFormValue("province"))),
		MittenteEmail:   strings.TrimSpace(r.PostFormValue("mittente_email")),
		URLPortale:      strings.TrimSpace(r.PostFormValue("url_portale")),
		Finestre:        strings.TrimSpace(r.PostFormValue("finestre")),
		EmailAllerte:    strings.TrimSpace(r.PostFormValue("email_allerte")),
		QuotaIscritti:   strings.TrimSpace(r.PostFormValue("quota_iscritti")),
		MinimoPlessi:    strings.TrimSpace(r.PostFormValue("minimo_plessi")),
		MotiviMinPlessi: strings.TrimSpace(r.PostFormValue("motivi_min_plessi")),
		// Line endings normalised: the form sends CRLF.
		ChecklistAllerta: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("checklist"), "\r\n", "\n")),
		// An unticked box is not sent: off.
		PubblicoAttivo:    map[bool]string{true: "1", false: "0"}[r.PostFormValue("pubblico_attivo") == "1"],
		PubblicoLivello:   strings.TrimSpace(r.PostFormValue("pubblico_livello")),
		PubblicoMinPlessi: strings.TrimSpace(r.PostFormValue("pubblico_min_plessi")),
		PubblicoMinAlunni: strings.TrimSpace(r.PostFormValue("pubblico_min_alunni")),
	}
	// A form without the public-figure fieldset (its marker) leaves those
	// settings as they are: an unticked box would otherwise read as "off".
	if r.PostFormValue("pubblico_form") != "1" {
		old, err := s.db.Settings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		st.PubblicoAttivo, st.PubblicoLivello, st.PubblicoMinPlessi, st.PubblicoMinAlunni = old.PubblicoAttivo, old.PubblicoLivello, old.PubblicoMinPlessi, old.PubblicoMinAlunni
	}
	// A form of before this setting existed leaves it as it is.
	if _, sent := r.PostForm["motivi_min_plessi"]; !sent {
		old, err := s.db.Settings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		st.MotiviMinPlessi = old.MotiviMinPlessi
	}
	// Every field is checked by its type, and all errors are shown at once,
	// each next to its field (store.Settings.Valida).
	prev, err := s.db.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !prev.Pubblico() && st.Pubblico() && indirizzoLocale(st.URLPortale) {
		// The open data's catalogue names the portal's address: switched on
		// with a local one, its links lead nowhere (issue 21, item 20). The
		// demo, local by design, is seeded with the switch already on.
		err = &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"url_portale": "admin.url_pubblico"}}
	} else {
		err = s.db.SaveSettings(r.Context(), actor(r, c.user), st)
	}
	if err != nil {
		if f := ps.FieldErrors(err); f != nil {
			p := s.newPage(r, c, "admin.settings", st)
			p.setErrors(f, settingsOrder, nil)
			s.render(w, r, http.StatusUnprocessableEntity, "settings", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "admin.settings.saved"))
	http.Redirect(w, r, "/admin/impostazioni", http.StatusSeeOther)
}

// indirizzoLocale reports a portal address that only this machine can
// reach (localhost, a loopback or unspecified IP).
func indirizzoLocale(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := p.Hostname()
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && (ip.IsLoopback() || ip.IsUnspecified())
}
