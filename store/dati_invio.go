package store

import (
	"context"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/calendario"
)

// DatiInvio is what checking a plesso's reported days of one school year
// needs: whether it is a sentinel, its school calendar and its enrolment
// revisions.
type DatiInvio struct {
	Sentinella  bool
	Calendario  calendario.Anno
	Consistenze []ps.Consistenza // the year's revisions; InVigore picks a day's
}

// DatiInvio reads them in one query, where the separate lookups
// (Sentinella, CalendarioDi, ConsistenzaInVigore) took three round trips:
// in emergency mode every plesso of the country submits within the same
// hour, each once, so nothing would be found in a per-plesso cache and the
// round trips are what the database spends its time on.
func (db *DB) DatiInvio(ctx context.Context, p *ps.Plesso, anno ps.AnnoScolastico) (DatiInvio, error) {
	ovs, err := db.overridesCached(ctx)
	if err != nil {
		return DatiInvio{}, err
	}
	// One row per enrolment revision of the year, or one row with id 0
	// when there is none; the sentinel count and the calendar repeat on
	// every row.
	rows, err := db.hot().QueryContext(ctx, `SELECT (SELECT COUNT(*) FROM sentinelle WHERE plesso = $1 AND anno = $2),
		COALESCE(cal.ambrosiano, false), COALESCE(cal.patrono, ''), COALESCE(cal.sei_giorni, false), COALESCE(cal.chiusure, ''),
		COALESCE(k.id, 0), COALESCE(k.revisione, 0), COALESCE(k.iscritti, 0), COALESCE(k.classi, 0), COALESCE(k.valido_dal, ''),
		COALESCE(k.note, ''), COALESCE(k.creato_il, ''), COALESCE(k.creato_da, '')
		FROM (SELECT 1 AS uno) x
		LEFT JOIN plessi_calendario cal ON cal.plesso = $1
		LEFT JOIN consistenze k ON k.plesso = $1 AND k.anno = $2`, p.Codice, int(anno))
	if err != nil {
		return DatiInvio{}, err
	}
	defer rows.Close()
	var out DatiInvio
	var cal CalendarioPlesso
	for rows.Next() {
		var sentinelle int
		var chiusure, valido, creato string
		c := ps.Consistenza{Plesso: p.Codice, Anno: anno}
		if err := rows.Scan(&sentinelle, &cal.Ambrosiano, &cal.Patrono, &cal.SeiGiorni, &chiusure,
			&c.ID, &c.Revisione, &c.Iscritti, &c.Classi, &valido, &c.Note, &creato, &c.CreatoDa); err != nil {
			return DatiInvio{}, err
		}
		out.Sentinella = sentinelle > 0
		cal.Chiusure = parseChiusure(chiusure)
		if c.ID != 0 {
			c.ValidoDal, c.CreatoIl = parseDay(valido), parseTS(creato)
			out.Consistenze = append(out.Consistenze, c)
		}
	}
	if err := rows.Err(); err != nil {
		return DatiInvio{}, err
	}
	out.Calendario = annoCalendario(p, cal, ovs, anno)
	return out, nil
}
