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
	type row struct {
		plesso, giorno string
		assenti        int
		f, g, a        *int
	}
	rows, err := queryAll(ctx, db.sql, func(s scanner) (r row, err error) {
		var f, g, a nullable
		err = s.Scan(&r.plesso, &r.giorno, &r.assenti, &f, &g, &a)
		r.f, r.g, r.a = f.ptr(), g.ptr(), a.ptr()
		return r, err
	}, `SELECT plesso, giorno, assenti, febbre, gastro, altra_malattia FROM assenze a
		WHERE classe = '' AND NOT chiuso AND assenti IS NOT NULL AND giorno >= $1 AND giorno <= $2
		AND revisione = (SELECT MAX(revisione) FROM assenze b WHERE b.plesso = a.plesso AND b.giorno = a.giorno AND b.classe = '')`,
		day(from), day(to))
	if err != nil {
		return nil, err
	}
	// Two bulk reads instead of two queries per plesso: at national scale
	// the series cover thousands of sentinel plessi.
	all, err := db.Plessi(ctx, PlessoFilter{})
	if err != nil {
		return nil, err
	}
	plessi := make(map[string]*ps.Plesso, len(all))
	for i := range all {
		plessi[all[i].Codice] = &all[i]
	}
	cons, err := queryAll(ctx, db.sql, scanConsistenza, `SELECT `+consistenzaCols+` FROM consistenze WHERE anno >= $1 AND anno <= $2`,
		int(ps.AnnoDi(from)), int(ps.AnnoDi(to)))
	if err != nil {
		return nil, err
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
		out = append(out, serie.Osservazione{Plesso: r.plesso, Giorno: d, Assenti: r.assenti, Iscritti: c.Iscritti, Malattia: malattia, Febbre: febbre, Gastro: gastro,
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
		return nil, err
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
	var a, c, s, g sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT (SELECT MAX(id) FROM assenze), (SELECT MAX(id) FROM consistenze),
		(SELECT n FROM contatori WHERE nome = 'sentinelle'), (SELECT MAX(id) FROM segnali_storia)`).Scan(&a, &c, &s, &g)
	// Data first, then alerts after "|": callers may tolerate stale data
	// for a while, never stale alerts.
	return fmt.Sprintf("%d/%d/%d|%d", a.Int64, c.Int64, s.Int64, g.Int64), err
}
