package store

import (
	"context"
	"fmt"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/calendario"
)

// DatiInvio is what checking a plesso's reported days of one school year
// needs: whether it is a sentinel, its school calendar and its enrolment
// revisions.
type DatiInvio struct {
	Plesso      string
	Anno        ps.AnnoScolastico
	Sentinella  bool
	Calendario  calendario.Anno
	Consistenze []ps.Consistenza // the year's revisions; InVigore picks a day's
}

// DatiInvio reads them in one query, where the separate lookups
// (Sentinella, CalendarioDi, ConsistenzaInVigore) took three round trips:
// in emergency mode every plesso of the country submits within the same
// hour, each once, so nothing would be found in a per-plesso cache and the
// round trips are what the database spends its time on. (The API reads
// them with the token, TokenConDati, and passes them on.)
func (db *DB) DatiInvio(ctx context.Context, p *ps.Plesso, anno ps.AnnoScolastico) (DatiInvio, error) {
	rows, err := db.hot().QueryContext(ctx, `SELECT `+datiInvioCols("$1")+`
		FROM (SELECT 1 AS uno) x`+datiInvioJoin("$1"), p.Codice, int(anno))
	if err != nil {
		return DatiInvio{}, fmt.Errorf("DatiInvio: %w", err)
	}
	defer rows.Close()
	var l lettoreDati
	for rows.Next() {
		if err := rows.Scan(l.campi()...); err != nil {
			return DatiInvio{}, fmt.Errorf("DatiInvio: %w", err)
		}
		l.riga()
	}
	if err := rows.Err(); err != nil {
		return DatiInvio{}, fmt.Errorf("DatiInvio: %w", err)
	}
	return db.datiInvio(ctx, p, anno, &l)
}

// datiInvioCols are the columns of one row: the sentinel count and the
// calendar (the same on every row), then one enrolment revision (id 0 when
// the year has none), for the plesso whose code is the expression plesso
// and the year $2 (joined by datiInvioJoin).
func datiInvioCols(plesso string) string {
	return `(SELECT COUNT(*) FROM sentinelle s WHERE s.plesso = ` + plesso + ` AND s.anno = $2),
	COALESCE(cal.ambrosiano, false), COALESCE(cal.patrono, ''), COALESCE(cal.sei_giorni, false), COALESCE(cal.chiusure, ''),
	COALESCE(k.id, 0), COALESCE(k.revisione, 0), COALESCE(k.iscritti, 0), COALESCE(k.classi, 0), COALESCE(k.valido_dal, ''),
	COALESCE(k.note, ''), COALESCE(k.creato_il, ''), COALESCE(k.creato_da, '')`
}

// datiInvioVuoti are datiInvioCols' values for a row without a plesso
// (an ATS token).
const datiInvioVuoti = `0, false, '', false, '', 0, 0, 0, 0, '', '', '', ''`

// datiInvioJoin joins a plesso's calendar and enrolment revisions of the
// year $2 to a query whose plesso code is the expression plesso.
func datiInvioJoin(plesso string) string {
	return `
		LEFT JOIN plessi_calendario cal ON cal.plesso = ` + plesso + `
		LEFT JOIN consistenze k ON k.plesso = ` + plesso + ` AND k.anno = $2`
}

// lettoreDati gathers the rows of datiInvioCols.
type lettoreDati struct {
	sentinelle     int
	cal            CalendarioPlesso
	chiusure       string
	c              ps.Consistenza
	valido, creato string
	consistenze    []ps.Consistenza
}

func (l *lettoreDati) campi() []any {
	return []any{&l.sentinelle, &l.cal.Ambrosiano, &l.cal.Patrono, &l.cal.SeiGiorni, &l.chiusure,
		&l.c.ID, &l.c.Revisione, &l.c.Iscritti, &l.c.Classi, &l.valido, &l.c.Note, &l.creato, &l.c.CreatoDa}
}

// riga keeps the revision of the row just scanned.
func (l *lettoreDati) riga() {
	if l.c.ID != 0 {
		c := l.c
		c.ValidoDal, c.CreatoIl = parseDay(l.valido), parseTS(l.creato)
		l.consistenze = append(l.consistenze, c)
	}
}

func (db *DB) datiInvio(ctx context.Context, p *ps.Plesso, anno ps.AnnoScolastico, l *lettoreDati) (DatiInvio, error) {
	ovs, err := db.overridesCached(ctx)
	if err != nil {
		return DatiInvio{}, fmt.Errorf("datiInvio: %w", err)
	}
	l.cal.Chiusure = parseChiusure(l.chiusure)
	for i := range l.consistenze {
		l.consistenze[i].Plesso, l.consistenze[i].Anno = p.Codice, anno
	}
	return DatiInvio{Plesso: p.Codice, Anno: anno, Sentinella: l.sentinelle > 0, Calendario: annoCalendario(p, l.cal, ovs, anno),
		Consistenze: l.consistenze}, nil
}
