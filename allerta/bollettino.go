package allerta

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/bollettino"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// Bollettino gathers the data of the bulletin for the ISO week starting on
// monday, as known at now.
func Bollettino(ctx context.Context, db *store.DB, monday, now time.Time, loc *time.Location) (bollettino.Dati, error) {
	st, err := db.Settings(ctx)
	if err != nil {
		return bollettino.Dati{}, err
	}
	monday = serie.Lunedi(monday)
	sunday := monday.AddDate(0, 0, 6)
	anno := ps.AnnoDi(monday)
	d := bollettino.Dati{NomeATS: st.NomeATS, Settimana: monday, Generato: now}
	obs, err := db.Osservazioni(ctx, anno.Inizio(), sunday)
	if err != nil {
		return d, err
	}
	series := Monitorate(obs)
	nomi := nominatoreDistretti(ctx, db)
	terr, err := serieTerritorio(&d, series, monday)
	if err != nil {
		return d, err
	}
	prevObs, err := db.Osservazioni(ctx, (anno - 1).Inizio(), anno.Inizio().AddDate(0, 0, -1))
	if err != nil {
		return d, err
	}
	if m, ok := Trova(Monitorate(prevObs), "territorio"); ok {
		for _, w := range serie.Settimanale(m.Punti) {
			d.Precedente = append(d.Precedente, bollettino.Settimana{Lunedi: w.Giorno, Tasso: w.Tasso(), Plessi: w.Plessi})
		}
	}
	for _, m := range series {
		if m.Nome == "territorio" {
			continue
		}
		cur, prev := weekRate(m.Punti, monday), weekRate(m.Punti, monday.AddDate(0, 0, -7))
		if cur.Iscritti == 0 {
			continue
		}
		d.Gruppi = append(d.Gruppi, bollettino.Gruppo{Nome: nomi.Nome(m.Nome), Chiave: m.Nome, Tasso: cur.Tasso(), TassoPrec: prev.Tasso(), Plessi: cur.Plessi})
	}
	sig, err := db.Segnali(ctx, store.SegnaleFilter{Dal: monday, Al: sunday, Limit: 5000})
	if err != nil {
		return d, err
	}
	// Territory first, then provinces, districts, grades, illness series
	// and single plessi; the most recent first within a level.
	sort.SliceStable(sig, func(i, j int) bool {
		return slices.Index(ps.LivelliSerie, ps.LivelloSerie(sig[i].Serie)) < slices.Index(ps.LivelliSerie, ps.LivelloSerie(sig[j].Serie))
	})
	em, err := db.Emergenze(ctx)
	if err != nil {
		return d, err
	}
	codes, err := db.Sentinelle(ctx, anno)
	if err != nil {
		return d, err
	}
	sent := make(map[string]bool, len(codes))
	for _, c := range codes {
		sent[c] = true
	}
	sit := Situazione(FontiSituazione{Lunedi: monday, Territorio: terr, Osservazioni: obs, Sentinelle: sent, Segnali: sig, Emergenze: em, Nome: nomi.Nome, Conteggi: true})
	// The bulletin's series is drawn without the completeness thresholds
	// (Disegna): it has no share of the network to state.
	sit.Quota = math.NaN()
	d.Situazione = &sit
	for _, g := range sig {
		// Episodes active in the week; the series in words (the bulletin is
		// read outside the ATS).
		d.Allerte = append(d.Allerte, bollettino.Allerta{ID: g.ID, Data: g.Giorno, Serie: nomi.Nome(g.Serie), Chiave: g.Serie, Osservato: g.Osservato, Atteso: g.Atteso,
			Soglia: g.Soglia, Evidenza: g.Evidenza, SogliaEvidenza: g.SogliaEvidenza, Metodo: g.Metodo, Stato: g.Stato, Al: g.Al, Picco: g.Picco})
	}
	if d.Completezza, err = completezzaBollettino(ctx, db, st, monday, now, loc); err != nil {
		return d, err
	}
	d.InfluNet = influNetAnno(ctx, db, anno, sunday)
	// The estimate of the last reported day of the week.
	var last []serie.Osservazione
	for i := len(obs) - 1; i >= 0; i-- {
		if obs[i].Giorno.Before(monday) || (len(last) > 0 && !obs[i].Giorno.Equal(last[0].Giorno)) {
			break
		}
		last = append(last, obs[i])
	}
	if len(last) > 0 {
		pop, err := db.Popolazione(ctx, anno)
		if err != nil {
			return d, err
		}
		if s := serie.PostStratificata(last, pop, nil); len(s) == 1 {
			d.Stima.Tasso, d.Stima.Basso, d.Stima.Alto, d.Stima.Copertura = s[0].Tasso, s[0].Basso, s[0].Alto, s[0].Copertura
		}
	}
	d.PlessiStima = len(last)
	primo, err := db.PrimoGiorno(ctx)
	if err != nil {
		return d, err
	}
	d.AnniPrecedenti = AnniDal(primo, anno)
	d.Metodi = bollettino.Italiano.Metodi(d.Stima.Copertura, len(last), DescriviMetodoIn(bollettino.Italiano, Metodo, "", d.AnniPrecedenti))
	return d, nil
}

// nominatoreDistretti names series with the districts' names in the
// register (their codes when it cannot be read).
func nominatoreDistretti(ctx context.Context, db *store.DB) Nominatore {
	nomi := Nominatore{Distretti: map[string]string{}}
	if ds, err := db.Distretti(ctx); err == nil {
		for _, x := range ds {
			nomi.Distretti[x.Codice] = x.Nome
		}
	}
	return nomi
}

// serieTerritorio fills the bulletin's daily series (the last twelve
// weeks) and weekly rates from the territory's series, and returns its
// trace.
func serieTerritorio(d *bollettino.Dati, series []Monitorata, monday time.Time) (Traccia, error) {
	var terr Traccia
	if m, ok := Trova(series, "territorio"); ok {
		tr, err := Disegna(m)
		if err != nil {
			return Traccia{}, err
		}
		terr = tr
		from := monday.AddDate(0, 0, -7*11)
		for i, g := range tr.Giorni {
			if g.Before(from) {
				continue
			}
			p := bollettino.Punto{Giorno: g, Tasso: tr.Tasso[i], Atteso: tr.Atteso[i], Soglia: tr.Soglia[i], Allarme: tr.Allarme[i], Valido: true}
			if math.IsNaN(p.Atteso) {
				p.Atteso, p.Soglia = math.NaN(), math.NaN()
			}
			d.Serie = append(d.Serie, p)
		}
		for _, w := range serie.Settimanale(m.Punti) {
			d.Settimane = append(d.Settimane, bollettino.Settimana{Lunedi: w.Giorno, Tasso: w.Tasso(), Plessi: w.Plessi})
		}
	}
	return terr, nil
}

// completezzaBollettino tallies the sentinel reports of the windows of
// the bulletin's week and the three before, by state.
func completezzaBollettino(ctx context.Context, db *store.DB, st store.Settings, monday, now time.Time, loc *time.Location) ([]bollettino.Completezza, error) {
	comp, err := sentinella.Carica(ctx, db, st.FinestreParsed(), monday.AddDate(0, 0, -21), monday.AddDate(0, 0, 6), now, loc)
	if err != nil {
		return nil, err
	}
	var out []bollettino.Completezza
	for j, per := range comp.Periodi {
		n := comp.Conta(j)
		// Aperte: still open, neither on time nor missing yet.
		out = append(out, bollettino.Completezza{Periodo: per.Dal.Format("02/01") + "–" + per.Al.Format("02/01"),
			InTempo: n.InTempo, InRitardo: n.InRitardo, Mancanti: n.Mancanti, Aperte: n.Aperte, Totale: n.Dovuti})
	}
	return out, nil
}

// influNetAnno is the InfluNet incidence of a school year's weeks up to
// sunday (none when it cannot be read: the bulletin says so).
func influNetAnno(ctx context.Context, db *store.DB, anno ps.AnnoScolastico, sunday time.Time) []bollettino.InfluNet {
	weeks, err := db.InfluNet(ctx)
	if err != nil {
		return nil
	}
	var out []bollettino.InfluNet
	for _, w := range weeks {
		var y, wk int
		if _, err := fmt.Sscanf(w.Settimana, "%d-%d", &y, &wk); err != nil {
			continue
		}
		mon := serie.Lunedi(time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)).AddDate(0, 0, 7*(wk-1))
		if ps.AnnoDi(mon) == anno && !mon.After(sunday) {
			out = append(out, bollettino.InfluNet{Settimana: w.Settimana, Incidenza: w.Incidenza})
		}
	}
	return out
}

// AnniDal counts the school years before anno, at most the two the model
// reads, since the first reported day primo (zero: none).
func AnniDal(primo time.Time, anno ps.AnnoScolastico) int {
	if primo.IsZero() {
		return 0
	}
	return min(2, max(0, int(anno-ps.AnnoDi(primo))))
}

// weekRate sums a daily series over the ISO week starting on monday.
func weekRate(p []serie.Punto, monday time.Time) serie.Punto {
	out := serie.Punto{Giorno: monday}
	end := monday.AddDate(0, 0, 7)
	for _, x := range p {
		if !x.Giorno.Before(monday) && x.Giorno.Before(end) {
			out.Assenti += x.Assenti
			out.Iscritti += x.Iscritti
			out.Plessi = max(out.Plessi, x.Plessi)
		}
	}
	return out
}

// InviaBollettino queues the bulletin of the week starting on monday to the
// ATS list, with the PDF attached; once per week (dedupe key).
func InviaBollettino(ctx context.Context, db *store.DB, monday, now time.Time, loc *time.Location) (int, error) {
	d, err := Bollettino(ctx, db, monday, now, loc)
	if err != nil {
		return 0, err
	}
	pdf, err := bollettino.PDF(d)
	if err != nil {
		return 0, err
	}
	st, err := db.Settings(ctx)
	if err != nil {
		return 0, err
	}
	week := serie.Lunedi(monday)
	name := "bollettino-" + week.Format("2006-01-02") + ".pdf"
	subj := fmt.Sprintf("Portale Scuole – bollettino settimanale dal %s al %s", week.Format("02/01"), week.AddDate(0, 0, 5).Format("02/01/2006"))
	body := bollettino.Sintesi(d) + "\n\nIl bollettino completo è in allegato e nel portale: " + st.URLPortale +
		"/ats/bollettino?settimana=" + week.Format("2006-01-02") + "\n\n" + st.NomeATS + "\n"
	var msgs []store.OutboxMessage
	for _, to := range destinatari(st) {
		msgs = append(msgs, store.OutboxMessage{Kind: "bollettino", To: to, Subject: subj, Body: body, AllegatoNome: name, Allegato: pdf,
			DedupeKey: "bollettino:" + week.Format("2006-01-02") + ":" + to})
	}
	return db.Enqueue(ctx, ps.SystemActor, msgs)
}
