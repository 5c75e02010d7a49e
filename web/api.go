package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

//go:embed openapi.json
var openapiDoc []byte

// apiGiorno is a day on the wire; dates are strings so that a bad one gets a
// field error rather than a decoding failure of the whole body.
type apiGiorno struct {
	Giorno         string             `json:"giorno"`
	Chiuso         bool               `json:"chiuso"`
	MotivoChiusura string             `json:"motivo_chiusura,omitempty"`
	Assenti        *int               `json:"assenti"`
	Motivi         ps.Motivi          `json:"motivi"`
	Classi         []ps.AssenzaClasse `json:"classi,omitempty"`
	Revisione      int                `json:"revisione,omitempty"`
	SegnalatoIl    string             `json:"segnalato_il,omitempty"`
}

type apiAssenze struct {
	Plesso string      `json:"plesso,omitempty"`
	Giorni []apiGiorno `json:"giorni"`
}

type apiError struct {
	Errore string            `json:"errore"`
	Campi  map[string]string `json:"campi,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// bearer returns the token of an Authorization header; the scheme is
// case-insensitive (RFC 9110 §11.1).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// tooMany answers 429 in JSON with the wait.
func tooMany(w http.ResponseWriter, wait time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(secondi(wait)))
	writeJSON(w, http.StatusTooManyRequests, apiError{Errore: fmt.Sprintf(msg, secondi(wait))})
}

// apiAuth resolves the bearer token into the plesso it belongs to. Bad
// tokens are slowed down per address (growing delays) and their audit rows
// bounded; each good token has its own request rate.
func (s *Server) apiAuth(w http.ResponseWriter, r *http.Request, c *reqCtx) bool {
	tok, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		s.fail(w, r, &ps.Error{Code: ps.EUnauthorized, Message: "api.err.token_mancante"})
		return false
	}
	a := actor(r, nil)
	addr := addrKey(a.IP)
	now := s.now()
	if wait := s.apiFail.wait(addr, now); wait > 0 {
		tooMany(w, wait, "troppi tentativi con token non validi da questo indirizzo: riprovare tra %d secondi")
		return false
	}
	t, p, dati, err := s.db.TokenConDati(r.Context(), tok, ps.AnnoDi(s.now()))
	if err != nil {
		if ps.ErrorCode(err) == ps.ENotFound {
			s.apiFail.fail(addr, now)
			a.Username = "api-token"
			s.auditLimited(r, a, "login.fail", "user:api-token", map[string]string{"motivo": "token sconosciuto o revocato"})
			s.fail(w, r, &ps.Error{Code: ps.EUnauthorized, Message: "api.err.token_non_valido"})
		} else {
			s.fail(w, r, err)
		}
		return false
	}
	if !s.tokenRate.allow(t.Prefisso, now) {
		w.Header().Set("Retry-After", "1")
		s.fail(w, r, &ps.Error{Code: ps.ELocked, Message: "api.err.troppe"})
		return false
	}
	if t.Plesso == "" {
		c.user = &ps.User{Username: "api-ats:" + t.Prefisso, Role: ps.RoleATS}
		return true
	}
	c.plesso, c.dati = p, dati
	c.user = &ps.User{Username: "api:" + t.Prefisso, Role: ps.RolePlesso, Plesso: p.Codice}
	return true
}

// jsonBody reports whether a request's body is declared as JSON.
func jsonBody(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	// The document is JSON only: a client that accepts neither JSON nor
	// anything is told so (its 4XX in the document itself).
	if acc := r.Header.Get("Accept"); acc != "" && !strings.Contains(acc, "json") && !strings.Contains(acc, "*/*") && !strings.Contains(acc, "application/*") {
		s.fail(w, r, &ps.Error{Code: ps.ENotAcceptable, Message: "api.err.solo_json"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiDoc)
}

func (s *Server) apiPlesso(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	anno := ps.AnnoDi(s.now())
	sent, err := s.db.Sentinella(r.Context(), c.plesso.Codice, anno)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"codice": c.plesso.Codice, "nome": c.plesso.Nome, "anno_scolastico": anno.String(), "sentinella": sent, "emergenza": nil}
	if e, ok, err := s.db.EmergenzaPlesso(r.Context(), c.plesso, s.now().In(rome)); err != nil {
		s.fail(w, r, err)
		return
	} else if ok {
		out["emergenza"] = map[string]string{"ambito": e.Ambito, "dal": e.Dal.Format(ps.DateLayout), "scadenza": e.Scadenza, "frequenza": e.Frequenza}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiPostAssenze(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	// The days are decoded one by one, so that an error names its day:
	// giorni[3].assenti.
	var in apiAssenze
	var raw struct {
		Plesso string            `json:"plesso,omitempty"`
		Giorni []json.RawMessage `json:"giorni"`
	}
	if !s.decodeJSON(w, r, r.Body, &raw, "") {
		return
	}
	in.Plesso = raw.Plesso
	in.Giorni = make([]apiGiorno, len(raw.Giorni))
	for i, g := range raw.Giorni {
		if !s.decodeJSON(w, r, bytes.NewReader(g), &in.Giorni[i], fmt.Sprintf("giorni[%d]", i)) {
			return
		}
	}
	if in.Plesso != "" && ps.NormalizeCodice(in.Plesso) != c.plesso.Codice {
		// A token writes only its own plesso.
		s.auditLimited(r, actor(r, c.user), "access.denied", "plesso:"+truncate(ps.NormalizeCodice(in.Plesso), 100), map[string]string{"method": r.Method, "path": r.URL.Path, "token_plesso": c.plesso.Codice})
		s.fail(w, r, &ps.Error{Code: ps.EForbidden, Message: ps.Msg("api.err.altro_plesso", c.plesso.Codice, truncate(ps.NormalizeCodice(in.Plesso), 100))})
		return
	}
	ctx := r.Context()
	campi := map[string]string{}
	giorni := make([]ps.Giorno, len(in.Giorni))
	for i, g := range in.Giorni {
		d, err := time.Parse(ps.DateLayout, g.Giorno)
		if err != nil {
			campi[fmt.Sprintf("giorni[%d].giorno", i)] = "api.err.data"
		}
		giorni[i] = ps.Giorno{Giorno: d, Chiuso: g.Chiuso, MotivoChiusura: g.MotivoChiusura, Assenti: g.Assenti, Motivi: g.Motivi, Classi: g.Classi}
	}
	if len(campi) > 0 {
		// Every error at once: the other days' rules too.
		verrs, err := sentinella.Valida(ctx, s.db, c.plesso, giorni, nil, c.dati)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for k, v := range verrs {
			if _, ok := campi[k]; !ok {
				campi[k] = tr(langIT, v)
			}
		}
		s.fail(w, r, &ps.Error{Code: ps.EInvalid, Message: "api.err.dati", Fields: campi})
		return
	}
	res, verrs, err := sentinella.Invia(ctx, s.db, actor(r, c.user), c.plesso, giorni, "api", nil, c.dati) // c.dati: read with the token
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(verrs) > 0 {
		for k, v := range verrs {
			verrs[k] = tr(langIT, v)
		}
		s.fail(w, r, &ps.Error{Code: ps.EInvalid, Message: "api.err.dati", Fields: verrs})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"nuovi": res.Nuovi, "corretti": res.Corretti, "invariati": res.Invariati})
}

// decodeJSON decodes one JSON value, answering 400 or 413 with the field
// path (under prefix) when it cannot.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, body io.Reader, v any, prefix string) bool {
	b, err := io.ReadAll(body)
	if err == nil && len(bytes.TrimSpace(b)) > 0 {
		if msg := controllaJSON(b); msg != "" {
			s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: msg})
			return false
		}
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err == nil {
		return true
	}
	path := func(f string) string {
		switch {
		case prefix == "" && f == "":
			return "(radice)"
		case f == "":
			return prefix
		case prefix == "":
			return f
		}
		return prefix + "." + f
	}
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		s.fail(w, r, &ps.Error{Code: ps.ETooLarge, Message: "api.err.troppo_grande"})
	case errors.As(err, &ute):
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: "api.err.tipo", Fields: map[string]string{path(ute.Field): ps.Msg("api.err.tipo.campo", ute.Type.String(), ute.Value)}})
	case errors.As(err, &se):
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: ps.Msg("api.err.json_posizione", strconv.FormatInt(se.Offset, 10))})
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: ps.Msg("api.err.campo_sconosciuto", path(f)), Fields: map[string]string{path(f): "api.err.campo_sconosciuto.campo"}})
	case err == io.EOF:
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: "api.err.vuoto"})
	default:
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: ps.Msg("api.err.json", err.Error())})
	}
	return false
}

// controllaJSON refuses what encoding/json lets through: data after the
// value ({…}xyz), a key repeated in an object (which one wins is a guess),
// and control characters inside strings (PostgreSQL refuses NUL in text;
// SQLite would store it). "" when the body is acceptable.
func controllaJSON(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expKey bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return "" // the decoder reports syntax errors itself
		}
		top := len(stack) - 1
		switch x := tok.(type) {
		case json.Delim:
			switch x {
			case '{':
				stack = append(stack, frame{obj: true, keys: map[string]bool{}, expKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:top]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].expKey = true
				}
			}
			if len(stack) == 0 && dec.More() {
				return "dati dopo l'oggetto JSON: inviare un solo oggetto"
			}
			continue
		case string:
			if strings.ContainsFunc(x, carattereControllo) {
				return "carattere di controllo non ammesso in un testo"
			}
			if top >= 0 && stack[top].obj && stack[top].expKey {
				if stack[top].keys[x] {
					return "chiave ripetuta nell'oggetto JSON: " + strconv.Quote(x)
				}
				stack[top].keys[x] = true
				stack[top].expKey = false
				continue
			}
		}
		if top >= 0 && stack[top].obj {
			stack[top].expKey = true
		}
		if len(stack) == 0 && dec.More() {
			return "dati dopo il valore JSON"
		}
	}
}

// carattereControllo: a C0 control character or DEL other than tab and
// line ends.
func carattereControllo(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}

func (s *Server) apiGetAssenze(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	to := s.now()
	from := to.AddDate(0, 0, -30)
	if d, err := time.Parse(ps.DateLayout, q.Get("dal")); err == nil {
		from = d
	} else if q.Get("dal") != "" {
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: "api.err.parametro", Fields: map[string]string{"dal": "api.err.data"}})
		return
	}
	if d, err := time.Parse(ps.DateLayout, q.Get("al")); err == nil {
		to = d
	} else if q.Get("al") != "" {
		s.fail(w, r, &ps.Error{Code: ps.EBadRequest, Message: "api.err.parametro", Fields: map[string]string{"al": "api.err.data"}})
		return
	}
	rows, err := s.db.Rilevazioni(r.Context(), c.plesso.Codice, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiAssenze{Plesso: c.plesso.Codice, Giorni: []apiGiorno{}}
	for _, rv := range rows {
		out.Giorni = append(out.Giorni, apiGiorno{Giorno: rv.Giorno.Giorno.Format(ps.DateLayout), Chiuso: rv.Chiuso, MotivoChiusura: rv.MotivoChiusura,
			Assenti: rv.Assenti, Motivi: rv.Motivi, Classi: rv.Classi, Revisione: rv.Revisione, SegnalatoIl: rv.SegnalatoIl.Format(time.RFC3339)})
	}
	writeJSON(w, http.StatusOK, out)
}

// The ATS's read API: the same data as the dashboard and the exports, for
// ATS tokens (aggregates and per-plesso counts for the ATS's own use).

func (s *Server) apiATSSerie(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	out, found, err := s.traccia(r)
	if err == nil && !found {
		// The dashboard draws an unknown series empty; a client is told.
		err = &ps.Error{Code: ps.ENotFound, Message: "err.notfound.serie"}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiATSAssenze(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	obs, _, err := s.monitorate(r, s.annoMostrato())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type riga struct {
		Giorno    string `json:"giorno"`
		Plesso    string `json:"plesso"`
		Provincia string `json:"provincia"`
		Grado     string `json:"grado"`
		Iscritti  int    `json:"iscritti"`
		Assenti   int    `json:"assenti"`
	}
	out := []riga{}
	for _, o := range obs {
		out = append(out, riga{o.Giorno.Format(ps.DateLayout), o.Plesso, o.Strato.Provincia, o.Strato.Grado, o.Iscritti, o.Assenti})
	}
	writeJSON(w, http.StatusOK, map[string]any{"assenze": out})
}

func (s *Server) apiATSAllerte(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	sig, err := s.db.Segnali(r.Context(), store.SegnaleFilter{Stato: r.URL.Query().Get("stato"), Limit: 5000})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// One item per alert episode (giorno = dal, its first day, kept for
	// existing clients); the values are the peak day's.
	type allerta struct {
		ID         int64           `json:"id"`
		Giorno     string          `json:"giorno"`
		Dal        string          `json:"dal"`
		Al         string          `json:"al"`
		Giorni     int             `json:"giorni_allerta"`
		Picco      string          `json:"picco"`
		Serie      string          `json:"serie"`
		NomeSerie  string          `json:"nome_serie"`
		Osservato  float64         `json:"osservato"`
		Atteso     float64         `json:"atteso"`
		Soglia     float64         `json:"soglia"` // upper end of the 95% interval
		Evidenza   *float64        `json:"evidenza"`
		SogliaEv   *float64        `json:"soglia_evidenza"`
		Metodo     string          `json:"metodo"`
		Plessi     int             `json:"plessi"`
		Iscritti   int             `json:"iscritti"`
		Stato      string          `json:"stato"`
		Contributi []ps.Contributo `json:"contributi"`
	}
	n := s.motore.Nominatore(r.Context())
	out := []allerta{}
	for _, g := range sig {
		var ev, sev *float64
		if g.SogliaEvidenza > 0 {
			ev, sev = &g.Evidenza, &g.SogliaEvidenza
		}
		out = append(out, allerta{g.ID, g.Giorno.Format(ps.DateLayout), g.Giorno.Format(ps.DateLayout), g.Al.Format(ps.DateLayout), g.Giorni,
			g.Picco.Format(ps.DateLayout), g.Serie, n.Nome(g.Serie), g.Osservato, g.Atteso, g.Soglia, ev, sev, g.Metodo, g.Plessi, g.Iscritti, g.Stato, g.Contributi})
	}
	writeJSON(w, http.StatusOK, map[string]any{"allerte": out})
}

func (s *Server) apiATSCompletezza(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	comp, _, _, err := s.completezza(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type cella struct {
		Plesso    string `json:"plesso"`
		Dal       string `json:"dal"`
		Al        string `json:"al"`
		Stato     string `json:"stato"`
		Giorni    int    `json:"giorni"`
		Segnalati int    `json:"segnalati"`
	}
	out := []cella{}
	for i, p := range comp.Plessi {
		for j, per := range comp.Periodi {
			x := comp.Celle[i][j]
			out = append(out, cella{p.Codice, per.Dal.Format(ps.DateLayout), per.Al.Format(ps.DateLayout), string(x.Stato), x.Giorni, x.Segnalati})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"completezza": out})
}
