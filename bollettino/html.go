package bollettino

import (
	"fmt"
	"html/template"
	"strings"
)

// The HTML fragment is meant to sit inside the portal's layout: no <html>,
// no inline scripts or styles, no style attributes (strict CSP); classes are
// Bootstrap Italia's. The charts of the PDF are given as tables.
var modello = template.Must(template.New("bollettino").Parse(`<article class="bollettino" aria-labelledby="bollettino-titolo">
<header class="mb-4">
{{- if .NomeATS}}
<p class="text-uppercase fw-semibold text-primary mb-1">{{.NomeATS}}</p>
{{- end}}
<h2 id="bollettino-titolo">{{.Titolo}}</h2>
<p class="lead mb-1">{{.Sottotitolo}}{{with .Info}} ({{.}}){{end}}</p>
{{- if .Generato}}
<p class="small text-muted">{{.Generato}}</p>
{{- end}}
</header>

<section id="bollettino-sintesi" aria-labelledby="bollettino-sintesi-titolo" class="mb-4">
<h3 id="bollettino-sintesi-titolo">{{.T.h_sintesi}}</h3>
<p>{{.Sintesi}}</p>
<dl class="row">
{{- range .Indicatori}}
<dt class="col-sm-4">{{.Etichetta}}</dt><dd class="col-sm-8"><strong>{{.Valore}}</strong>{{with .Nota}} <span class="text-muted">({{.}})</span>{{end}}</dd>
{{- end}}
</dl>
</section>

<section id="bollettino-giornaliero" aria-labelledby="bollettino-giornaliero-titolo" class="mb-4">
<h3 id="bollettino-giornaliero-titolo">{{.T.h_giornaliero}}</h3>
{{- if .Giorni}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>{{.T.cap_giornaliero}}</caption>
<thead><tr><th scope="col">{{.T.col_giorno}}</th><th scope="col" class="text-end">{{.T.col_tasso}}</th><th scope="col" class="text-end">{{.T.col_atteso}}</th><th scope="col" class="text-end">{{.T.col_soglia}}</th><th scope="col">{{.T.col_allarme}}</th></tr></thead>
<tbody>
{{- range .Giorni}}
<tr{{if .Corrente}} class="table-warning"{{end}}><th scope="row">{{.Giorno}}</th><td class="text-end">{{.Tasso}}</td><td class="text-end">{{.Atteso}}</td><td class="text-end">{{.Soglia}}</td><td>{{if .Allarme}}<strong>{{$.T.allarme}}</strong>{{else if .Incompleto}}{{$.T.incompleto}}{{else}}–{{end}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">{{.T.no_giornaliero}}</p>
{{- end}}
</section>

<section id="bollettino-settimanale" aria-labelledby="bollettino-settimanale-titolo" class="mb-4">
<h3 id="bollettino-settimanale-titolo">{{.T.h_settimanale}}</h3>
{{- if .Settimane}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>{{.T.cap_settimanale}}{{if .HaPrecedente}}{{.T.cap_precedente}}{{end}}{{if .HaInfluNet}}{{.T.cap_influnet}}{{end}}.</caption>
<thead><tr><th scope="col">{{.T.col_settimanaISO}}</th><th scope="col">{{.T.col_dal}}</th><th scope="col" class="text-end">{{.AnnoCorrente}}</th>{{if .HaPrecedente}}<th scope="col" class="text-end">{{.AnnoPrecedente}}</th>{{end}}{{if .HaInfluNet}}<th scope="col" class="text-end">{{.T.col_influnet}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Settimane}}
<tr{{if .Corrente}} class="table-warning"{{end}}><th scope="row">{{.Settimana}}</th><td>{{.Dal}}</td><td class="text-end">{{.Tasso}}</td>{{if $.HaPrecedente}}<td class="text-end">{{.Precedente}}</td>{{end}}{{if $.HaInfluNet}}<td class="text-end">{{.InfluNet}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">{{.T.no_settimanale}}</p>
{{- end}}
</section>

<section id="bollettino-gruppi" aria-labelledby="bollettino-gruppi-titolo" class="mb-4">
<h3 id="bollettino-gruppi-titolo">{{.T.h_gruppi}}</h3>
{{- if .Gruppi}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>{{.T.cap_gruppi}}</caption>
<thead><tr><th scope="col">{{.T.col_gruppo}}</th><th scope="col" class="text-end">{{.T.col_plessi}}</th><th scope="col" class="text-end">{{.T.col_tasso}}</th><th scope="col" class="text-end">{{.T.col_settPrec}}</th><th scope="col" class="text-end">{{.T.col_variazione}}</th></tr></thead>
<tbody>
{{- range .Gruppi}}
<tr><th scope="row">{{.Nome}}</th><td class="text-end">{{.Plessi}}</td><td class="text-end">{{.Tasso}}</td><td class="text-end">{{.Prec}}</td><td class="text-end">{{.Variazione}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">{{.T.no_gruppi}}</p>
{{- end}}
</section>

<section id="bollettino-allerte" aria-labelledby="bollettino-allerte-titolo" class="mb-4">
<h3 id="bollettino-allerte-titolo">{{.T.h_allerte}}</h3>
{{- if .Allerte}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<thead><tr><th scope="col">{{.T.col_n}}</th><th scope="col">{{.T.col_data}}</th><th scope="col">{{.T.col_serie}}</th><th scope="col" class="text-end">{{.T.col_osservato}}</th><th scope="col" class="text-end">{{.T.col_atteso}}</th><th scope="col" class="text-end">{{.T.col_soglia}}</th><th scope="col" class="text-end">{{.T.col_evidenza}}</th><th scope="col">{{.T.col_metodo}}</th><th scope="col">{{.T.col_stato}}</th></tr></thead>
<tbody>
{{- range .Allerte}}
<tr><th scope="row">{{.ID}}</th><td>{{.Data}}</td><td>{{.Serie}}</td><td class="text-end">{{.Osservato}}</td><td class="text-end">{{.Atteso}}</td><td class="text-end">{{.Soglia}}</td><td class="text-end">{{.Evidenza}}</td><td>{{.Metodo}}</td><td>{{.Stato}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">{{.T.no_allerte}}</p>
{{- end}}
</section>

<section id="bollettino-completezza" aria-labelledby="bollettino-completezza-titolo" class="mb-4">
<h3 id="bollettino-completezza-titolo">{{.T.h_completezza}}</h3>
{{- if .Completezza}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>{{.T.cap_completezza}}</caption>
<thead><tr><th scope="col">{{.T.col_periodo}}</th><th scope="col" class="text-end">{{.T.col_inTempo}}</th><th scope="col" class="text-end">{{.T.col_inRitardo}}</th><th scope="col" class="text-end">{{.T.col_mancanti}}</th><th scope="col" class="text-end">{{.T.col_attese}}</th><th scope="col" class="text-end">{{.T.col_completezza}}</th></tr></thead>
<tbody>
{{- range .Completezza}}
<tr><th scope="row">{{.Periodo}}</th><td class="text-end">{{.InTempo}}</td><td class="text-end">{{.InRitardo}}</td><td class="text-end">{{.Mancanti}}</td><td class="text-end">{{.Totale}}</td><td class="text-end">{{.Quota}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">{{.T.no_completezza}}</p>
{{- end}}
</section>
{{- if .Metodi}}

<section id="bollettino-metodi" aria-labelledby="bollettino-metodi-titolo" class="mb-4">
<h3 id="bollettino-metodi-titolo">{{.T.h_metodi}}</h3>
<p>{{.Metodi}}</p>
</section>
{{- end}}

<footer class="small text-muted"><p>{{.Privacy}}.</p></footer>
</article>
`))

type vistaIndicatore struct{ Etichetta, Valore, Nota string }

type vistaGiorno struct {
	Giorno, Tasso, Atteso, Soglia string
	Allarme, Incompleto, Corrente bool
}

type vistaSettimana struct {
	Settimana, Dal, Tasso, Precedente, InfluNet string
	Corrente                                    bool
}

type vistaGruppo struct{ Nome, Plessi, Tasso, Prec, Variazione string }

type vistaAllerta struct{ ID, Data, Serie, Osservato, Atteso, Soglia, Evidenza, Metodo, Stato string }

type vistaCompletezza struct{ Periodo, InTempo, InRitardo, Mancanti, Totale, Quota string }

type vista struct {
	T                                                                      map[string]string
	Titolo, NomeATS, Sottotitolo, Info, Generato, Sintesi, Metodi, Privacy string
	AnnoCorrente, AnnoPrecedente                                           string
	HaPrecedente, HaInfluNet                                               bool
	Indicatori                                                             []vistaIndicatore
	Giorni                                                                 []vistaGiorno
	Settimane                                                              []vistaSettimana
	Gruppi                                                                 []vistaGruppo
	Allerte                                                                []vistaAllerta
	Completezza                                                            []vistaCompletezza
}

// pctOpt is Pct, or "–" when the value is missing (NaN or not positive).
func (l Lingua) pctOpt(x float64, ok bool) string {
	if !ok || !finito(x) {
		return "–"
	}
	return l.Pct(x)
}

// HTML renders the bulletin as a self-contained HTML fragment (no <html>,
// no inline script or style) with the sections of the PDF; the charts'
// numbers are given as tables.
func HTML(d Dati) (string, error) { return HTMLIn(d, Italiano) }

// HTMLIn renders the bulletin's HTML fragment in a language. Dati's own
// words (group and series names, Metodi) are the caller's, in that language.
func HTMLIn(d Dati, l Lingua) (string, error) {
	v := vista{
		T:              l.mappaTesti(),
		Titolo:         l.t("titolo"),
		NomeATS:        d.NomeATS,
		Sottotitolo:    l.f("bollettinoDella", l.periodo(d)),
		Sintesi:        l.Sintesi(d),
		Metodi:         strings.TrimSpace(d.Metodi),
		Privacy:        l.t("privacy"),
		AnnoCorrente:   l.t("annoCorrente"),
		AnnoPrecedente: l.t("annoPrecedente"),
	}
	if !d.Settimana.IsZero() {
		_, w := d.Settimana.ISOWeek()
		v.Info = l.f("info", w, annoScolastico(d.Settimana))
		v.AnnoCorrente = l.f("as", annoScolastico(d.Settimana))
		v.AnnoPrecedente = l.f("as", annoScolastico(d.Settimana.AddDate(-1, 0, 0)))
	}
	if !d.Generato.IsZero() {
		v.Generato = l.f("generato", l.ora(d.Generato))
	}
	for _, t := range l.indicatori(d) {
		v.Indicatori = append(v.Indicatori, vistaIndicatore(t))
	}
	fine := sabato(d).AddDate(0, 0, 1)
	for _, p := range d.Serie {
		conSoglia := finito(p.Soglia) && p.Soglia > 0
		v.Giorni = append(v.Giorni, vistaGiorno{
			Giorno:     l.giornoBreve(p.Giorno) + p.Giorno.Format("/2006"),
			Tasso:      l.pctOpt(p.Tasso, true),
			Atteso:     l.pctOpt(p.Atteso, conSoglia),
			Soglia:     l.pctOpt(p.Soglia, conSoglia),
			Allarme:    p.Allarme,
			Incompleto: !p.Valido,
			Corrente:   !d.Settimana.IsZero() && !p.Giorno.Before(d.Settimana) && p.Giorno.Before(fine),
		})
	}
	for _, r := range settimaneUnite(d) {
		s := vistaSettimana{
			Settimana:  fmt.Sprintf("%d", r.Settimana),
			Dal:        "–",
			Tasso:      l.pctOpt(r.Tasso, true),
			Precedente: l.pctOpt(r.Precedente, true),
			InfluNet:   "–",
			Corrente:   r.Corrente,
		}
		if !r.Lunedi.IsZero() {
			s.Dal = data(r.Lunedi)
		}
		if finito(r.InfluNet) {
			s.InfluNet = l.decimale(r.InfluNet, 1)
			v.HaInfluNet = true
		}
		if finito(r.Precedente) {
			v.HaPrecedente = true
		}
		v.Settimane = append(v.Settimane, s)
	}
	for _, g := range d.Gruppi {
		v.Gruppi = append(v.Gruppi, vistaGruppo{g.Nome, l.intero(g.Plessi), l.Pct(g.Tasso), l.Pct(g.TassoPrec), l.variazione(g)})
	}
	for _, a := range d.Allerte {
		v.Allerte = append(v.Allerte, vistaAllerta{l.intero(int(a.ID)), data(a.Data), NomeSerie(a.Serie),
			l.Pct(a.Osservato), l.Pct(a.Atteso), l.Pct(a.Soglia), l.Evidenza(a), a.Metodo, l.stato(a.Stato)})
	}
	for _, c := range d.Completezza {
		v.Completezza = append(v.Completezza, vistaCompletezza{c.Periodo, l.intero(c.InTempo), l.intero(c.InRitardo),
			l.intero(c.Mancanti), l.intero(c.chiuse()), l.Pct(quota(c.InTempo+c.InRitardo, c.chiuse()))})
	}
	var b strings.Builder
	if err := modello.Execute(&b, v); err != nil {
		return "", fmt.Errorf("bollettino: html: %w", err)
	}
	return b.String(), nil
}
