// Package carico drives a running portal over HTTP with a realistic mix of
// logins, enrolment saves, absence submissions (form and API) and dashboard
// views, measures throughput and latency, and then checks in the database
// that every acknowledged write is there.
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/store"
)

// Tipi of operation, in the default mix's proportions (per 100).
const (
	OpAPI       = "api"       // POST /api/v1/assenze with a plesso token
	OpModulo    = "modulo"    // POST /plesso/{codice}/assenze with a session
	OpIscritti  = "iscritti"  // POST /plesso/{codice}/registro
	OpCruscotto = "cruscotto" // GET /ats/cruscotto
	OpLogin     = "login"     // POST /login
)

// MixDefault: the morning of a reporting deadline, mostly submissions.
var MixDefault = map[string]int{OpAPI: 55, OpModulo: 25, OpIscritti: 5, OpCruscotto: 5, OpLogin: 10}

// Password is the password of the load-test accounts.
const Password = "carico-di-prova-2026"

type plessoCarico struct {
	Codice   string
	Token    string
	Username string
	Giorni   []time.Time
	Iscritti int
	Classi   int
}

// Preparazione is what the load needs from the database.
type Preparazione struct {
	Plessi  []plessoCarico
	ATSUser string
}

// Prepara picks up to n sentinel plessi with enrolment figures in force,
// gives each a login (one shared hash: the load measures the server, not
// the preparation) and an API token, and creates an ATS login. The days
// written are the school days of now's school year up to now or, before
// its first lesson day (1–11 September), those of the previous year.
func Prepara(ctx context.Context, db *store.DB, n int, now time.Time) (*Preparazione, error) {
	hash, err := auth.Hash(Password, auth.DefaultParams)
	if err != nil {
		return nil, err
	}
	prep := &Preparazione{ATSUser: "carico-ats"}
	a := ps.Actor{Username: "carico"}
	for _, anno := range []ps.AnnoScolastico{ps.AnnoDi(now), ps.AnnoDi(now) - 1} {
		if err := prep.plessi(ctx, db, a, n, anno, now, hash); err != nil {
			return nil, err
		}
		if len(prep.Plessi) > 0 {
			break
		}
	}
	if len(prep.Plessi) == 0 {
		return nil, fmt.Errorf("nessun plesso sentinella con iscritti in vigore: caricare dati (serve --demo o generate)")
	}
	if _, err := db.UserByUsername(ctx, prep.ATSUser); err != nil {
		if _, err := db.CreateUser(ctx, a, ps.User{Username: prep.ATSUser, Role: ps.RoleATS, PasswordHash: hash}); err != nil {
			return nil, err
		}
	}
	return prep, nil
}

// plessi adds up to n sentinel plessi of anno with school days up to now.
func (prep *Preparazione) plessi(ctx context.Context, db *store.DB, a ps.Actor, n int, anno ps.AnnoScolastico, now time.Time, hash string) error {
	codes, err := db.Sentinelle(ctx, anno)
	if err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for _, code := range codes {
		if len(prep.Plessi) >= n {
			break
		}
		p, err := db.Plesso(ctx, code)
		if err != nil {
			return err
		}
		cal, err := db.AnnoCalendario(ctx, p, anno)
		if err != nil {
			return err
		}
		days := cal.GiorniTra(anno.Inizio(), today)
		if len(days) == 0 {
			continue
		}
		c, err := db.ConsistenzaInVigore(ctx, code, days[len(days)-1])
		if err != nil || c.Iscritti < 20 {
			continue
		}
		user := "carico-" + strings.ToLower(code)
		if _, err := db.UserByUsername(ctx, user); err != nil {
			if _, err := db.CreateUser(ctx, a, ps.User{Username: user, Role: ps.RolePlesso, Plesso: code, PasswordHash: hash}); err != nil {
				return err
			}
		}
		tok, _, err := db.CreateToken(ctx, a, code, "carico")
		if err != nil {
			return err
		}
		prep.Plessi = append(prep.Plessi, plessoCarico{Codice: code, Token: tok, Username: user, Giorni: days, Iscritti: c.Iscritti, Classi: c.Classi})
	}
	return nil
}

// Scrittura is an acknowledged write, to be found in the database.
type Scrittura struct {
	Tipo   string
	Plesso string
	Giorno time.Time // absences
	Valore int       // assenti, or iscritti for an enrolment save
}

// Statistica is one operation type's outcome.
type Statistica struct {
	N, Errori int
	durate    []time.Duration
}

// Percentile returns the p-th percentile latency (0 < p ≤ 100).
func (s *Statistica) Percentile(p float64) time.Duration {
	if len(s.durate) == 0 {
		return 0
	}
	d := slices.Clone(s.durate)
	slices.Sort(d)
	i := int(float64(len(d))*p/100+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// Esito is a load run's result.
type Esito struct {
	Durata    time.Duration
	Tipi      map[string]*Statistica
	Scritture []Scrittura
	Errori    []string // the first few errors, for the report
}

// Opzioni configure a run.
type Opzioni struct {
	URL         string
	Durata      time.Duration
	Richieste   int // stop after this many operations (0 = only Durata)
	Concorrenza int
	Mix         map[string]int
	Seed        uint64
	// Confermata, if set, is called (from the workers' goroutines) after
	// each acknowledged write: a test can act after N of them.
	Confermata func(Scrittura)
	// UnaVolta: each plesso submits its first day once, in order (the
	// emergency mix); a worker stops when its plessi are done.
	UnaVolta bool
}

type worker struct {
	o      Opzioni
	prep   *Preparazione
	plessi []plessoCarico
	client *http.Client // a session of its first plesso
	ats    *http.Client
	rng    *rand.Rand
	next   map[string]int // plesso|day → last value sent
	res    map[string]*Statistica
	writes []Scrittura
	errs   []string
	cursor int  // next plesso to submit (UnaVolta)
	finito bool // UnaVolta: every plesso submitted
}

// transport is shared by every virtual client: connections are reused as
// a browser would.
var transport = &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}

// schoolIP gives each virtual school its own client address, sent as
// X-Forwarded-For (which the portal believes when started with
// --trusted-proxy 127.0.0.1/32, as from its reverse proxy), so the per-IP
// login throttle sees many schools, as in production. Addresses are from the benchmarking range 198.18.0.0/15.
type schoolIP string

func (ip schoolIP) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Set("X-Forwarded-For", string(ip))
	return transport.RoundTrip(r)
}

func newClient(i int) *http.Client {
	jar, _ := cookiejar.New(nil)
	ip := schoolIP(fmt.Sprintf("198.18.%d.%d", (i/250)%256, 1+i%250))
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: ip,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Esegui runs the load. Each worker owns its plessi, so no two requests
// race on the same day of the same plesso and every acknowledged write has
// a value that must be the one stored.
func Esegui(ctx context.Context, prep *Preparazione, o Opzioni) (*Esito, error) {
	if o.Concorrenza <= 0 {
		o.Concorrenza = 32
	}
	if o.Mix == nil {
		o.Mix = MixDefault
	}
	if o.Concorrenza > len(prep.Plessi) {
		o.Concorrenza = len(prep.Plessi)
	}
	workers := make([]*worker, o.Concorrenza)
	for i := range workers {
		w := &worker{o: o, prep: prep, rng: rand.New(rand.NewPCG(o.Seed, uint64(i))), next: map[string]int{}, res: map[string]*Statistica{}}
		for j := i; j < len(prep.Plessi); j += o.Concorrenza {
			w.plessi = append(w.plessi, prep.Plessi[j])
		}
		w.client = newClient(i)
		if w.plessi[0].Username != "" {
			if err := login(w.client, o.URL, w.plessi[0].Username); err != nil {
				return nil, fmt.Errorf("login %s: %w", w.plessi[0].Username, err)
			}
		}
		w.ats = newClient(i)
		if err := login(w.ats, o.URL, prep.ATSUser); err != nil {
			return nil, fmt.Errorf("login ATS: %w", err)
		}
		workers[i] = w
	}
	var kinds []string
	for k := range o.Mix {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	total := 0
	for _, k := range kinds {
		total += o.Mix[k]
	}
	ctx, cancel := context.WithTimeout(ctx, o.Durata)
	defer cancel()
	var budget chan struct{}
	if o.Richieste > 0 {
		budget = make(chan struct{}, o.Richieste)
		for i := 0; i < o.Richieste; i++ {
			budget <- struct{}{}
		}
		close(budget)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && !w.finito {
				if budget != nil {
					if _, ok := <-budget; !ok {
						return
					}
				}
				x := w.rng.IntN(total)
				kind := kinds[0]
				for _, k := range kinds {
					if x < o.Mix[k] {
						kind = k
						break
					}
					x -= o.Mix[k]
				}
				w.op(ctx, kind)
			}
		}()
	}
	wg.Wait()
	es := &Esito{Durata: time.Since(start), Tipi: map[string]*Statistica{}}
	for _, w := range workers {
		for k, s := range w.res {
			t, ok := es.Tipi[k]
			if !ok {
				t = &Statistica{}
				es.Tipi[k] = t
			}
			t.N += s.N
			t.Errori += s.Errori
			t.durate = append(t.durate, s.durate...)
		}
		es.Scritture = append(es.Scritture, w.writes...)
		if len(es.Errori) < 10 {
			es.Errori = append(es.Errori, w.errs...)
		}
	}
	return es, nil
}

func login(c *http.Client, base, user string) error {
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"username": {user}, "password": {Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}

func (w *worker) stat(kind string) *Statistica {
	s, ok := w.res[kind]
	if !ok {
		s = &Statistica{}
		w.res[kind] = s
	}
	return s
}

func (w *worker) fail(kind, msg string) {
	w.stat(kind).Errori++
	if len(w.errs) < 3 {
		w.errs = append(w.errs, kind+": "+msg)
	}
}

// value returns a count for a plesso's day that differs from the last one
// sent, so that every write is a new revision.
func (w *worker) value(p plessoCarico, d time.Time) int {
	key := p.Codice + "|" + d.Format(ps.DateLayout)
	v, ok := w.next[key]
	if !ok {
		v = w.rng.IntN(p.Iscritti / 10)
	}
	v = (v + 1) % (p.Iscritti / 5)
	w.next[key] = v
	return v
}

func (w *worker) op(ctx context.Context, kind string) {
	p := w.plessi[w.rng.IntN(len(w.plessi))]
	day := p.Giorni[w.rng.IntN(len(p.Giorni))]
	var req *http.Request
	var write *Scrittura
	client := w.client
	switch kind {
	case OpAPI:
		if w.o.UnaVolta {
			if w.cursor >= len(w.plessi) {
				w.finito = true
				return
			}
			p, day = w.plessi[w.cursor], w.plessi[w.cursor].Giorni[0]
			w.cursor++
		}
		v := w.value(p, day)
		body, _ := json.Marshal(map[string]any{"giorni": []any{map[string]any{"giorno": day.Format(ps.DateLayout), "assenti": v}}})
		req, _ = http.NewRequestWithContext(ctx, "POST", w.o.URL+"/api/v1/assenze", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+p.Token)
		write = &Scrittura{Tipo: kind, Plesso: p.Codice, Giorno: day, Valore: v}
	case OpModulo:
		p = w.plessi[0] // the worker's session belongs to its first plesso
		day = p.Giorni[w.rng.IntN(len(p.Giorni))]
		v := w.value(p, day)
		form := url.Values{"n": {"1"}, "g0.giorno": {day.Format(ps.DateLayout)}, "g0.assenti": {strconv.Itoa(v)}}
		req, _ = http.NewRequestWithContext(ctx, "POST", w.o.URL+"/plesso/"+p.Codice+"/assenze", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", w.o.URL)
		write = &Scrittura{Tipo: kind, Plesso: p.Codice, Giorno: day, Valore: v}
	case OpIscritti:
		p = w.plessi[0]
		v := p.Iscritti + 1 + w.rng.IntN(30)
		form := url.Values{"anno": {ps.AnnoDi(day).String()}, "iscritti": {strconv.Itoa(v)}, "classi": {strconv.Itoa(p.Classi)}, "conferma": {"1"},
			"note": {"carico " + strconv.FormatUint(w.rng.Uint64(), 36)}}
		req, _ = http.NewRequestWithContext(ctx, "POST", w.o.URL+"/plesso/"+p.Codice+"/registro", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", w.o.URL)
		write = &Scrittura{Tipo: kind, Plesso: p.Codice, Valore: v}
	case OpCruscotto:
		req, _ = http.NewRequestWithContext(ctx, "GET", w.o.URL+"/ats/cruscotto", nil)
		client = w.ats
	case OpLogin:
		req, _ = http.NewRequestWithContext(ctx, "POST", w.o.URL+"/login", strings.NewReader(url.Values{"username": {p.Username}, "password": {Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", w.o.URL)
		client = newClient(w.rng.IntN(60000))
	default:
		return
	}
	t0 := time.Now()
	res, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			w.fail(kind, err.Error())
		}
		return
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(t0)
	ok := res.StatusCode == http.StatusOK || res.StatusCode == http.StatusSeeOther
	// "invariati": the value equals the one stored (a day written by an
	// earlier run): acknowledged and present all the same.
	if kind == OpAPI && ok && !(bytes.Contains(b, []byte(`"nuovi": 1`)) || bytes.Contains(b, []byte(`"corretti": 1`)) || bytes.Contains(b, []byte(`"invariati": 1`))) {
		ok = false
	}
	if !ok {
		w.fail(kind, fmt.Sprintf("status %d: %.120s", res.StatusCode, b))
		return
	}
	s := w.stat(kind)
	s.N++
	s.durate = append(s.durate, d)
	if write != nil {
		w.writes = append(w.writes, *write)
		if w.o.Confermata != nil {
			w.o.Confermata(*write)
		}
	}
}

// Verifica checks that every acknowledged write is in the database and
// returns the number found and the ones missing.
func Verifica(ctx context.Context, db *store.DB, writes []Scrittura) (int, []Scrittura, error) {
	type key struct {
		plesso, giorno string
		v              int
	}
	have := map[key]bool{}
	iscritti := map[key]bool{}
	plessi := map[string]bool{}
	for _, w := range writes {
		plessi[w.Plesso] = true
	}
	for code := range plessi {
		vals, err := db.ValoriAssenti(ctx, code)
		if err != nil {
			return 0, nil, err
		}
		for _, v := range vals {
			have[key{code, v.Giorno, v.Assenti}] = true
		}
		revs, err := db.Consistenze(ctx, code)
		if err != nil {
			return 0, nil, err
		}
		for _, c := range revs {
			iscritti[key{code, "", c.Iscritti}] = true
		}
	}
	found := 0
	var missing []Scrittura
	for _, w := range writes {
		var ok bool
		if w.Tipo == OpIscritti {
			ok = iscritti[key{w.Plesso, "", w.Valore}]
		} else {
			ok = have[key{w.Plesso, w.Giorno.Format(ps.DateLayout), w.Valore}]
		}
		if ok {
			found++
		} else {
			missing = append(missing, w)
		}
	}
	return found, missing, nil
}

// Rapporto writes the run's figures.
func Rapporto(w io.Writer, es *Esito) {
	var kinds []string
	tot := 0
	for k, s := range es.Tipi {
		kinds = append(kinds, k)
		tot += s.N
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "durata %.1fs, %d operazioni riuscite, %.0f op/s\n", es.Durata.Seconds(), tot, float64(tot)/es.Durata.Seconds())
	fmt.Fprintf(w, "%-10s %8s %8s %8s %9s %9s %9s\n", "tipo", "n", "errori", "op/s", "p50", "p95", "p99")
	for _, k := range kinds {
		s := es.Tipi[k]
		fmt.Fprintf(w, "%-10s %8d %8d %8.0f %9s %9s %9s\n", k, s.N, s.Errori, float64(s.N)/es.Durata.Seconds(),
			s.Percentile(50).Round(10*time.Microsecond), s.Percentile(95).Round(10*time.Microsecond), s.Percentile(99).Round(10*time.Microsecond))
	}
	subm := 0
	for _, k := range []string{OpAPI, OpModulo} {
		if s, ok := es.Tipi[k]; ok {
			subm += s.N
		}
	}
	fmt.Fprintf(w, "invii di assenze: %.0f/s\n", float64(subm)/es.Durata.Seconds())
	for _, e := range es.Errori {
		fmt.Fprintln(w, "errore:", e)
	}
}
