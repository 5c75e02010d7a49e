package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/serie"
)

// Osservazioni returns the latest revision of every open, reported plesso
// day in [from, to], with the enrolment in force that day as denominator
// and the plesso's strata. Days of plessi without any enrolment figures for
// the year cannot have a rate and are left out.
func (db *DB) Osservazioni(ctx context.Context, from, to time.Time) ([]serie.Osservazione, error) {
	rows, err := queryAll(ctx, db.sql, scanRigaOss, `SELECT plesso, giorno, chiuso, assenti, febbre, gastro, altra_malattia, segnalato_il FROM assenze a
		WHERE classe = '' AND NOT chiuso AND assenti IS NOT NULL AND giorno >= $1 AND giorno <= $2
		AND revisione = (SELECT MAX(revisione) FROM assenze b WHERE b.plesso = a.plesso AND b.giorno = a.giorno AND b.classe = '')`,
		day(from), day(to))
	if err != nil {
		return nil, fmt.Errorf("Osservazioni: %w", err)
	}
	return db.componiOsservazioni(ctx, from, to, rows)
}

// OsservazioniRilasciate returns what figures shared outside the ATS may
// rest on (issue 21, differencing over time): each plesso day as its
// latest revision stood at the deadline of its reporting window
// (scadenza), and only days whose deadline is not after now. A report or
// correction that arrives later is withheld from them for good, so two
// downloads never differ by one plesso's late figures. scadenza returns
// false for a day without a window (it is then not released).
func (db *DB) OsservazioniRilasciate(ctx context.Context, from, to time.Time, scadenza func(time.Time) (time.Time, bool), now time.Time) ([]serie.Osservazione, error) {
	all, err := queryAll(ctx, db.sql, func(sc scanner) (r rigaRev, err error) {
		r.rigaOss, err = scanRigaOssRev(sc, &r.rev)
		return r, err
	}, `SELECT plesso, giorno, chiuso, assenti, febbre, gastro, altra_malattia, segnalato_il, revisione FROM assenze
		WHERE classe = '' AND giorno >= $1 AND giorno <= $2 ORDER BY plesso, giorno, revisione`, day(from), day(to))
	if err != nil {
		return nil, fmt.Errorf("OsservazioniRilasciate: %w", err)
	}
	var rows []rigaOss
	cutoff := map[string]time.Time{}
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].plesso == all[i].plesso && all[j].giorno == all[i].giorno {
			j++
		}
		g := all[i].giorno
		due, ok := cutoff[g]
		if !ok {
			var has bool
			due, has = scadenza(parseDay(g))
			if !has || due.After(now) {
				due = time.Time{}
			}
			cutoff[g] = due
		}
		if !due.IsZero() {
			last := -1
			for k := i; k < j; k++ {
				if !all[k].il.After(due) {
					last = k
				}
			}
			if last >= 0 && !all[last].chiuso && all[last].assenti != nil {
				rows = append(rows, all[last].rigaOss)
			}
		}
		i = j
	}
	return db.componiOsservazioni(ctx, from, to, rows)
}

// rigaOss is a whole-plesso revision as the observations read it.
type rigaOss struct {
	plesso, giorno string
	chiuso         bool
	assenti        *int
	f, g, a        *int
	il             time.Time
}

type rigaRev struct {
	rigaOss
	rev int
}

func scanRigaOss(s scanner) (rigaOss, error) { return scanRigaOssRev(s, nil) }

func scanRigaOssRev(s scanner, rev *int) (rigaOss, error) {
	var r rigaOss
	var ass, f, g, a nullable
	var il string
	dest := []any{&r.plesso, &r.giorno, &r.chiuso, &ass, &f, &g, &a, &il}
	if rev != nil {
		dest = append(dest, rev)
	}
	err := s.Scan(dest...)
	r.assenti, r.f, r.g, r.a = ass.ptr(), f.ptr(), g.ptr(), a.ptr()
	r.il = parseTS(il)
	return r, err
}

// componiOsservazioni gives each revision its plesso's strata and the
// enrolment in force that day; days without enrolment figures are left out.
func (db *DB) componiOsservazioni(ctx context.Context, from, to time.Time, rows []rigaOss) ([]serie.Osservazione, error) {
	// Two bulk reads instead of two queries per plesso: at national scale
	// the series cover thousands of sentinel plessi.
	all, err := db.Plessi(ctx, PlessoFilter{})
	if err != nil {
		return nil, fmt.Errorf("componiOsservazioni: %w", err)
	}
	plessi := make(map[string]*ps.Plesso, len(all))
	for i := range all {
		plessi[all[i].Codice] = &all[i]
	}
	cons, err := queryAll(ctx, db.sql, scanConsistenza, `SELECT `+consistenzaCols+` FROM consistenze WHERE anno >= $1 AND anno <= $2`,
		int(ps.AnnoDi(from)), int(ps.AnnoDi(to)))
	if err != nil {
		return nil, fmt.Errorf("componiOsservazioni: %w", err)
	}
	revs := map[string][]ps.Consistenza{}
	for _, c := range cons {
		revs[c.Plesso] = append(revs[c.Plesso], c)
	}
	out := make([]serie.Osservazione, 0, len(rows))
	for _, r := range rows {
		p, ok := plessi[r.plesso]
		if !ok {
			continue
		}
		d := parseDay(r.giorno)
		c := InVigore(revs[r.plesso], d)
		if c == nil {
			continue
		}
		malattia, febbre, gastro := -1, -1, -1
		if r.f != nil && r.g != nil && r.a != nil {
			malattia = *r.f + *r.g + *r.a
		}
		if r.f != nil {
			febbre = *r.f
		}
		if r.g != nil {
			gastro = *r.g
		}
		out = append(out, serie.Osservazione{Plesso: r.plesso, Giorno: d, Assenti: *r.assenti, Iscritti: c.Iscritti, Malattia: malattia, Febbre: febbre, Gastro: gastro,
			Strato: serie.Strato{Provincia: p.Provincia, Distretto: p.Distretto, Grado: string(p.Grado), Comune: p.CodiceCatastale, Istituto: p.Istituto}})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Giorno.Equal(out[j].Giorno) {
			return out[i].Giorno.Before(out[j].Giorno)
		}
		return out[i].Plesso < out[j].Plesso
	})
	return out, nil
}

// InVigore picks, from a plesso's revisions, the figures in force on day d,
// with the rule of ConsistenzaInVigore (done in memory for whole series).
func InVigore(revs []ps.Consistenza, d time.Time) *ps.Consistenza {
	anno := ps.AnnoDi(d)
	var best, earliest *ps.Consistenza
	for i := range revs {
		c := &revs[i]
		if c.Anno != anno {
			continue
		}
		if earliest == nil || c.ValidoDal.Before(earliest.ValidoDal) || (c.ValidoDal.Equal(earliest.ValidoDal) && c.Revisione > earliest.Revisione) {
			earliest = c
		}
		if c.ValidoDal.After(d) {
			continue
		}
		if best == nil || c.ValidoDal.After(best.ValidoDal) || (c.ValidoDal.Equal(best.ValidoDal) && c.Revisione > best.Revisione) {
			best = c
		}
	}
	if best == nil {
		return earliest
	}
	return best
}

// Popolazione returns the territory's pupils aged 6–19 per stratum
// (province × grade) for a school year: every active in-scope plesso's
// entered figures, else its ministry count.
func (db *DB) Popolazione(ctx context.Context, anno ps.AnnoScolastico) (serie.Popolazione, error) {
	rows, err := db.Adempimenti(ctx, anno, PlessoFilter{InScope: true, Attivi: true})
	if err != nil {
		return nil, fmt.Errorf("Popolazione: %w", err)
	}
	pop := serie.Popolazione{}
	for _, a := range rows {
		n := a.StudentiMIM
		if a.Consistenza != nil {
			n = a.Consistenza.Iscritti
		}
		pop[serie.StratoDi(serie.Strato{Provincia: a.Plesso.Provincia, Grado: string(a.Plesso.Grado)})] += n
	}
	return pop, nil
}

type nullable struct {
	v     int64
	valid bool
}

func (n *nullable) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		n.valid = false
	case int64:
		n.v, n.valid = x, true
	case int32:
		n.v, n.valid = int64(x), true
	}
	return nil
}

func (n nullable) ptr() *int {
	if !n.valid {
		return nil
	}
	v := int(n.v)
	return &v
}

// Versione changes whenever absences, enrolment figures, the sentinel
// network or any alert change: caches of series and of the dashboard key
// on it.
func (db *DB) Versione(ctx context.Context) (string, error) {
	var a, c, s, g, e sql.NullInt64
	var chiuse sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT (SELECT MAX(id) FROM assenze), (SELECT MAX(id) FROM consistenze),
		(SELECT n FROM contatori WHERE nome = 'sentinelle'), (SELECT MAX(id) FROM segnali_storia),
		(SELECT MAX(id) FROM emergenze), (SELECT MAX(chiusa_il) FROM emergenze)`).Scan(&a, &c, &s, &g, &e, &chiuse)
	// Data first, then alerts and emergency periods after "|": callers may
	// tolerate stale data for a while, never a stale alert or a switch of
	// emergency mode (started or stopped, here or on another node).
	return fmt.Sprintf("%d/%d/%d|%d/%d/%s", a.Int64, c.Int64, s.Int64, g.Int64, e.Int64, chiuse.String), err
}

// PrimoGiorno returns the first day with an absence report (zero when
// none): how many school years a series can draw on.
func (db *DB) PrimoGiorno(ctx context.Context) (time.Time, error) {
	var d sql.NullString
	if err := db.sql.QueryRowContext(ctx, `SELECT MIN(giorno) FROM assenze`).Scan(&d); err != nil {
		return time.Time{}, fmt.Errorf("first absence day: %w", err)
	}
	if !d.Valid {
		return time.Time{}, nil
	}
	return parseDay(d.String), nil
}

// ValoreAssenti is one revision's absent count of a whole-plesso day.
type ValoreAssenti struct {
	Plesso, Giorno string
	Assenti        int
}

// ValoriAssenti lists every revision's absent count of a plesso's days
// (the load check finds each acknowledged write among them).
func (db *DB) ValoriAssenti(ctx context.Context, plesso string) ([]ValoreAssenti, error) {
	list, err := queryAll(ctx, db.sql, func(s scanner) (v ValoreAssenti, err error) {
		v.Plesso = plesso
		err = s.Scan(&v.Giorno, &v.Assenti)
		return v, err
	}, `SELECT giorno, assenti FROM assenze WHERE plesso = $1 AND classe = '' AND assenti IS NOT NULL`, plesso)
	if err != nil {
		return nil, fmt.Errorf("ValoriAssenti %s: %w", plesso, err)
	}
	return list, nil
}

// ValoriAssentiGiorno is ValoriAssenti for every plesso on one day.
func (db *DB) ValoriAssentiGiorno(ctx context.Context, giorno time.Time) ([]ValoreAssenti, error) {
	list, err := queryAll(ctx, db.sql, func(s scanner) (v ValoreAssenti, err error) {
		err = s.Scan(&v.Plesso, &v.Assenti)
		v.Giorno = day(giorno)
		return v, err
	}, `SELECT plesso, assenti FROM assenze WHERE giorno = $1 AND classe = '' AND assenti IS NOT NULL`, day(giorno))
	if err != nil {
		return nil, fmt.Errorf("ValoriAssentiGiorno %s: %w", day(giorno), err)
	}
	return list, nil
}
