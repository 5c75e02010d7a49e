// Package demo fills a database with the real plessi and pupil counts of
// Cremona and Mantova (files in data/, with their sources) and a plausible
// state: some plessi have entered their figures, some have not.
package demo

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/calendario"
	"github.com/portalescuole/portalescuole/sim"
	"github.com/portalescuole/portalescuole/store"
)

//go:embed data/*.csv
var data embed.FS

// Account is a demo login printed at start-up.
type Account struct {
	Role     ps.Role
	Username string
	Password string
	Note     string
}

// Accounts are the demo logins; the passwords are public by design and
// the demo must never hold real data.
var Accounts = []Account{
	{ps.RoleAdmin, "admin", "demo-admin-2026", "amministratore"},
	{ps.RoleATS, "operatore.ats", "demo-ats-2026", "operatore ATS"},
	{ps.RoleIstituto, "cric800000", "demo-istituto-2026", "dirigente di un istituto comprensivo (demo)"},
	{ps.RolePlesso, "cree80001r", "demo-plesso-2026", "segreteria di un plesso che non ha ancora inserito i dati"},
	{ps.RolePlesso, "cree80002t", "demo-plesso-2026", "segreteria di un plesso che li ha già inseriti"},
	{ps.RolePlesso, "mnee800012", "demo-primo-accesso", "primo accesso: cambio password obbligatorio"},
}

// Anno returns the school year whose data the demo shows on day now: the
// one the surveillance views show (calendario.AnnoMostrato), so that the
// demo never opens on an empty year.
func Anno(now time.Time) ps.AnnoScolastico {
	return ps.AnnoScolastico(calendario.AnnoMostrato(now))
}

// Seed loads the demo once; a database already seeded is left as it is.
// Nothing is stamped after now.
func Seed(ctx context.Context, db *store.DB, now time.Time) error {
	if _, err := db.UserByUsername(ctx, "admin"); err == nil {
		return nil
	}
	a := ps.Actor{Username: "demo"}
	if err := seedAnagrafe(ctx, db, a); err != nil {
		return err
	}
	if err := seedPlessi(ctx, db, a, now); err != nil {
		return err
	}
	if err := seedInfluNet(ctx, db, now); err != nil {
		return fmt.Errorf("demo InfluNet: %w", err)
	}
	if err := seedAssenze(ctx, db, now); err != nil {
		return fmt.Errorf("demo assenze: %w", err)
	}
	// The demo shows the public figures; a real ATS turns them on itself.
	if st, err := db.Settings(ctx); err == nil {
		st.PubblicoAttivo = "1"
		if err := db.SaveSettings(ctx, a, st); err != nil {
			return fmt.Errorf("demo impostazioni: %w", err)
		}
	}
	if _, err := allerta.Esegui(ctx, db, ps.Actor{Username: "demo"}, now); err != nil {
		return fmt.Errorf("demo allerte: %w", err)
	}
	if err := chiudiAnnoPrima(ctx, db, Anno(now)); err != nil {
		return fmt.Errorf("demo allerte dell'anno prima: %w", err)
	}
	for _, acc := range Accounts {
		hash, err := auth.Hash(acc.Password, auth.DefaultParams)
		if err != nil {
			return err
		}
		u := ps.User{Username: acc.Username, Role: acc.Role, PasswordHash: hash, MustChange: acc.Password == "demo-primo-accesso"}
		switch acc.Role {
		case ps.RolePlesso:
			u.Plesso = strings.ToUpper(acc.Username)
		case ps.RoleIstituto:
			u.Istituto = strings.ToUpper(acc.Username)
		}
		if _, err := db.CreateUser(ctx, a, u); err != nil {
			return fmt.Errorf("demo user %s: %w", acc.Username, err)
		}
	}
	return nil
}

// chiudiAnnoPrima closes the alerts of the school year before anno, as the
// ATS would have: the territory's episode of the influenza peak confirmed,
// the others archived, each a few days after its end.
func chiudiAnnoPrima(ctx context.Context, db *store.DB, anno ps.AnnoScolastico) error {
	list, err := db.Segnali(ctx, store.SegnaleFilter{Al: anno.Inizio().AddDate(0, 0, -1), Limit: 5000})
	if err != nil {
		return err
	}
	var picco *ps.Segnale
	for i, g := range list {
		if g.Serie == "territorio" && (picco == nil || g.Osservato > picco.Osservato) {
			picco = &list[i]
		}
	}
	orig := db.Now
	defer func() { db.Now = orig }()
	op := ps.Actor{Username: "operatore.ats"}
	for _, g := range list {
		at := g.Al.AddDate(0, 0, 3).Add(10 * time.Hour)
		db.Now = func() time.Time { return at }
		if picco != nil && g.ID == picco.ID {
			if err := db.UpdateSegnale(ctx, op, g.ID, ps.StatoValutazione, "", "Picco influenzale: sentiti i referenti dei plessi principali.", ""); err != nil {
				return err
			}
			if err := db.UpdateSegnale(ctx, op, g.ID, ps.StatoConfermato, "", "Confermato con InfluNet e i pediatri di libera scelta.", ""); err != nil {
				return err
			}
			continue
		}
		if err := db.UpdateSegnale(ctx, op, g.ID, ps.StatoArchiviato, "", "Valutato nell'anno scolastico precedente (dimostrativo).", ""); err != nil {
			return err
		}
	}
	return nil
}

// seedPlessi makes about 5% of the plessi sentinels (this school year and
// the one before) and has about 60% enter their figures, some with a
// later revision; the demo accounts show one of each.
func seedPlessi(ctx context.Context, db *store.DB, a ps.Actor, now time.Time) error {
	plessi, err := db.Plessi(ctx, store.PlessoFilter{InScope: true, Attivi: true})
	if err != nil {
		return err
	}
	anno := Anno(now)
	orig := db.Now
	defer func() { db.Now = orig }()
	sort.Slice(plessi, func(i, j int) bool { return plessi[i].Codice < plessi[j].Codice })
	for i, p := range plessi {
		n, ok, err := db.StudentiMIM(ctx, p.Codice, 2024)
		if err != nil {
			return err
		}
		h := hash(p.Codice)
		if h%100 < 5 || p.Codice == "CREE80002T" {
			if err := db.SetSentinella(ctx, a, p.Codice, anno, true); err != nil {
				return err
			}
			// The same network the year before, with its figures: the
			// dashboard and the bulletin compare this year with the last.
			if err := db.SetSentinella(ctx, a, p.Codice, anno-1, true); err != nil {
				return err
			}
			if ok {
				prima := (anno - 1).Inizio().AddDate(0, 0, 12).Add(9 * time.Hour)
				db.Now = func() time.Time { return prima }
				iscritti := max(1, n+int(h%7)-3)
				if _, _, err := db.AddConsistenza(ctx, ps.Actor{Username: strings.ToLower(p.Codice)}, ps.Consistenza{Plesso: p.Codice, Anno: anno - 1,
					Iscritti: iscritti, Classi: max(1, (iscritti+10)/21)}); err != nil {
					return err
				}
				db.Now = orig
			}
			// Before the first lesson day the new year is already set up.
			if cur := ps.AnnoDi(now); cur != anno {
				if err := db.SetSentinella(ctx, a, p.Codice, cur, true); err != nil {
					return err
				}
			}
		}
		// About 60% have entered figures; the demo plesso accounts show
		// one of each.
		if !ok || p.Codice == "CREE80001R" || p.Codice == "MNEE800012" || (h%100 >= 60 && p.Codice != "CREE80002T") {
			continue
		}
		iscritti := max(1, n+int(h%11)-5)
		classi := max(1, (iscritti+10)/21)
		entered := anno.Inizio().AddDate(0, 0, 12+int(h%40)).Add(time.Duration(8+h%6) * time.Hour)
		if entered.After(now) {
			entered = now.Add(-time.Duration(1+h%48) * time.Hour) // early in the year: just entered
		}
		db.Now = func() time.Time { return entered }
		user := ps.Actor{Username: strings.ToLower(p.Codice)}
		if _, _, err := db.AddConsistenza(ctx, user, ps.Consistenza{Plesso: p.Codice, Anno: anno, Iscritti: iscritti, Classi: classi}); err != nil {
			return err
		}
		if i%17 == 0 {
			// A variation in November: a new revision, the first kept.
			var later time.Time
			if later = anno.Inizio().AddDate(0, 2, 10); later.After(now) {
				continue
			}
			db.Now = func() time.Time { return later }
			if _, _, err := db.AddConsistenza(ctx, user, ps.Consistenza{Plesso: p.Codice, Anno: anno, Iscritti: iscritti + 3, Classi: classi,
				Note: "nuovi iscritti dopo l'inizio dell'anno"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedAnagrafe imports the real municipalities, one district per
// province, the MIM registers and pupil counts, and groups the state
// plessi into demo istituti.
func seedAnagrafe(ctx context.Context, db *store.DB, a ps.Actor) error {
	read := func(name string) []byte {
		b, err := data.ReadFile("data/" + name)
		if err != nil {
			panic(err) // embedded at build time
		}
		return b
	}
	if _, err := db.Import(ctx, a, read("istat-comuni-cr-mn.csv"), store.ImportOptions{Filename: "istat-comuni-cr-mn.csv"}); err != nil {
		return fmt.Errorf("demo comuni: %w", err)
	}
	comuni, err := db.Comuni(ctx)
	if err != nil {
		return fmt.Errorf("demo comuni: %w", err)
	}
	// One district per province: the real ATS map is loaded by the
	// operator (Importa anagrafe → comune,distretto).
	var dist strings.Builder
	dist.WriteString("codice_istat,distretto,nome_distretto\n")
	for _, c := range comuni {
		name := map[string]string{"CR": "Distretto di Cremona (demo)", "MN": "Distretto di Mantova (demo)"}[c.Provincia]
		fmt.Fprintf(&dist, "%s,%s,%s\n", c.CodiceIstat, c.Provincia, name)
	}
	if _, err := db.Import(ctx, a, []byte(dist.String()), store.ImportOptions{Filename: "distretti-demo.csv"}); err != nil {
		return fmt.Errorf("demo distretti: %w", err)
	}
	if _, err := db.Import(ctx, a, read("mim-anagrafe-paritarie-cr-mn-2023-24.csv"), store.ImportOptions{Filename: "mim-anagrafe-paritarie-cr-mn-2023-24.csv"}); err != nil {
		return fmt.Errorf("demo paritarie: %w", err)
	}
	if _, err := db.Import(ctx, a, read("mim-studenti-per-plesso-cr-mn-2024-25.csv"), store.ImportOptions{Filename: "mim-studenti-per-plesso-cr-mn-2024-25.csv", Anno: 2024}); err != nil {
		return fmt.Errorf("demo studenti: %w", err)
	}
	if err := db.DemoStatali(ctx, statali(comuni)); err != nil {
		return fmt.Errorf("demo statali: %w", err)
	}
	return nil
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// statali groups the state plessi known only by code into demo istituti
// (same province and 3-digit number: CREE80001R and CRMM80001X both belong
// to "CRIC800000") and places each istituto in a municipality of its
// province, so that the district and municipality views have something to
// show. The real names and places come from the MIM register.
func statali(comuni []ps.Comune) func(codice string) (istituto, nome, catastale, comune string, ok bool) {
	byProv := map[string][]ps.Comune{}
	for _, c := range comuni {
		byProv[c.Provincia] = append(byProv[c.Provincia], c)
	}
	return func(codice string) (string, string, string, string, bool) {
		if len(codice) != 10 || codice[2] == '1' {
			return "", "", "", "", false // paritarie have their own register
		}
		num := codice[4:7]
		kind := "IC"
		if ps.GradoFromCodice(codice) == ps.Secondaria2 {
			kind = "IS"
		}
		ist := codice[:2] + kind + num + "000"
		list := byProv[codice[:2]]
		if len(list) == 0 {
			return ist, "", "", "", true
		}
		c := list[hash(ist)%uint32(len(list))]
		return ist, fmt.Sprintf("Istituto %s %s-%s (raggruppamento demo)", map[string]string{"IC": "comprensivo", "IS": "superiore"}[kind], codice[:2], num),
			c.CodiceCatastale, c.Nome, true
	}
}

// seedAssenze gives the sentinel plessi a plausible history since the start
// of the school year: about 3% of pupils absent, more in the last weeks (a
// beginning influenza season), each window reported around its deadline,
// some late, a few never; the current window is left to the schools. The
// school year before is complete, its absences following the demo's
// InfluNet season of that year (stagioniDemo).
func seedAssenze(ctx context.Context, db *store.DB, now time.Time) error {
	anno := Anno(now)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if err := seedAnno(ctx, db, now, anno, func(d time.Time, hd uint32) float64 {
		// Baseline 2.5–3.5%, plus a rise over the last four weeks.
		rate := 0.025 + float64(hd%100)/10000
		if weeks := today.Sub(d).Hours() / 24 / 7; weeks < 4 {
			rate += 0.012 * (4 - weeks)
		}
		return rate
	}); err != nil {
		return err
	}
	inc := incidenzaDemo(anno - 1)
	return seedAnno(ctx, db, now, anno-1, func(d time.Time, hd uint32) float64 {
		y, w := d.ISOWeek()
		// About a quarter of a point of absence per ILI case per 1,000
		// children: the 2024-25 season's peak (≈20) adds five points.
		return 0.025 + float64(hd%100)/10000 + 0.0025*inc[fmt.Sprintf("%d-%02d", y, w)]
	})
}

// seedAnno reports the absences of a school year's sentinel plessi, window
// by window, with rate giving each day's share of absent pupils.
func seedAnno(ctx context.Context, db *store.DB, now time.Time, anno ps.AnnoScolastico, rate func(d time.Time, hd uint32) float64) error {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		loc = time.UTC
	}
	codes, err := db.Sentinelle(ctx, anno)
	if err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	end := (anno + 1).Inizio().AddDate(0, 0, -1)
	if today.Before(end) {
		end = today
	}
	orig := db.Now
	defer func() { db.Now = orig }()
	for _, code := range codes {
		p, err := db.Plesso(ctx, code)
		if err != nil {
			return err
		}
		cal, err := db.AnnoCalendario(ctx, p, anno)
		if err != nil {
			return err
		}
		iscritti := 0
		for _, per := range ps.Periodi(ps.FinestreDefault, anno.Inizio(), end, loc) {
			if !per.Scadenza.Before(now) {
				continue // open window: left to the school
			}
			h := hash(code + per.Key())
			if h%100 < 4 {
				continue // never reported
			}
			var giorni []ps.Giorno
			for _, d := range cal.GiorniTra(per.Dal, per.Al) {
				if c, err := db.ConsistenzaInVigore(ctx, code, d); err == nil {
					iscritti = c.Iscritti
				}
				if iscritti == 0 {
					continue
				}
				hd := hash(code + d.Format(ps.DateLayout))
				n := int(rate(d, hd)*float64(iscritti) + float64(hd%3))
				febbre := n * 45 / 100
				giorni = append(giorni, ps.Giorno{Giorno: d, Assenti: ps.IntPtr(n), Motivi: ps.Motivi{Febbre: &febbre}})
			}
			if len(giorni) == 0 {
				continue
			}
			at := per.Scadenza.Add(-time.Duration(2+h%40) * time.Hour)
			if h%100 < 12 {
				at = per.Scadenza.Add(time.Duration(1+h%30) * time.Hour) // late
			}
			if at.After(now) {
				continue // late and not yet arrived
			}
			db.Now = func() time.Time { return at }
			if _, err := db.SaveGiorni(ctx, ps.Actor{Username: strings.ToLower(code)}, code, giorni, "modulo"); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedInfluNet loads the real InfluNet school-age incidence for Lombardy
// (seasons up to 2024-25), then the demo's seasons of this school year and
// the last, so that the comparison has something to show on any day.
func seedInfluNet(ctx context.Context, db *store.DB, now time.Time) error {
	b, err := data.ReadFile("data/influnet-lombardia-settimanale.csv")
	if err != nil {
		return err
	}
	if _, err = allerta.ImportaInfluNet(ctx, db, ps.Actor{Username: "demo"}, b); err != nil {
		return err
	}
	_, err = allerta.ImportInfluNet(ctx, db, ps.Actor{Username: "demo"}, influNetDemo(Anno(now), time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)), store.ImportOptions{Filename: NomeInfluNetDemo})
	return err
}

// NomeInfluNetDemo names the demo's InfluNet file in the import history:
// what it is must be plain to whoever reads the list.
const NomeInfluNetDemo = "influnet-dimostrativo-stagioni-reali-ricollocate.csv"

// stagioniDemo maps the demo's school years, counted back from the one it
// shows (0 = this one), to the real InfluNet season re-dated onto them:
// 2022-23 rose early, in November, as the demo's current year does.
var stagioniDemo = map[int]string{0: "2022-2023", 1: "2024-2025"}

// influNetDemo is the InfluNet file of the demo's seasons: real weeks of
// stagioniDemo moved by whole years onto the demo's school years, up to the
// last week already over at now. It is demonstration data, named so.
func influNetDemo(anno ps.AnnoScolastico, today time.Time) []byte {
	src, err := data.ReadFile("data/influnet-lombardia-settimanale.csv")
	if err != nil {
		panic(err) // embedded at build time
	}
	lines := strings.Split(strings.TrimSpace(string(src)), "\n")
	var out strings.Builder
	out.WriteString(lines[0] + "\n")
	for _, back := range []int{1, 0} {
		season := stagioniDemo[back]
		var first int
		fmt.Sscanf(season, "%d", &first)
		shift := int(anno) - back - first
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			if len(f) < 2 || strings.Trim(f[0], `"`) != season {
				continue
			}
			var y, w int
			if _, err := fmt.Sscanf(strings.Trim(f[1], `"`), "%d-%d", &y, &w); err != nil {
				continue
			}
			y += shift
			mon := isoMonday(y, w)
			if _, wk := mon.ISOWeek(); wk != w || !mon.AddDate(0, 0, 6).Before(today) {
				continue // no such week that year, or not over yet
			}
			f[0] = fmt.Sprintf(`"%d-%d"`, first+shift, first+shift+1)
			f[1] = fmt.Sprintf(`"%d-%02d"`, y, w)
			out.WriteString(strings.Join(f, ",") + "\n")
		}
	}
	return []byte(out.String())
}

// incidenzaDemo is the demo's InfluNet incidence (5–14) of a school year,
// by ISO week "2026-47", as influNetDemo writes it (whole season).
func incidenzaDemo(anno ps.AnnoScolastico) map[string]float64 {
	seasons, err := sim.LoadInfluNet(strings.NewReader(string(influNetDemo(anno+1, (anno+1).Inizio().AddDate(0, 0, 7)))))
	out := map[string]float64{}
	if err != nil {
		return out
	}
	for _, s := range seasons {
		for _, w := range s.Weeks {
			out[fmt.Sprintf("%d-%02d", w.Year, w.Week)] = w.Inc
		}
	}
	return out
}

func isoMonday(year, week int) time.Time {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	off := (int(jan4.Weekday()) + 6) % 7
	return jan4.AddDate(0, 0, -off+7*(week-1))
}

// InfluNetCSV is the shipped InfluNet weekly file (ISS InfluNet /
// RespiVirNet, CC BY 4.0; see data/SOURCES.md), for the generator.
func InfluNetCSV() []byte {
	b, err := data.ReadFile("data/influnet-lombardia-settimanale.csv")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// Loaded reports whether the demo is already in db: Seed then adds nothing,
// and the demo passwords are whatever the users last set.
func Loaded(ctx context.Context, db *store.DB) bool {
	_, err := db.UserByUsername(ctx, "admin")
	return err == nil
}
