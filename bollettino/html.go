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
<p class="lead mb-1">Bollettino della {{.Periodo}}{{with .Info}} ({{.}}){{end}}</p>
{{- if .Generato}}
<p class="small text-muted">Generato il {{.Generato}}</p>
{{- end}}
</header>

<section id="bollettino-sintesi" aria-labelledby="bollettino-sintesi-titolo" class="mb-4">
<h3 id="bollettino-sintesi-titolo">Sintesi</h3>
<p>{{.Sintesi}}</p>
<dl class="row">
{{- range .Indicatori}}
<dt class="col-sm-4">{{.Etichetta}}</dt><dd class="col-sm-8"><strong>{{.Valore}}</strong>{{with .Nota}} <span class="text-muted">({{.}})</span>{{end}}</dd>
{{- end}}
</dl>
</section>

<section id="bollettino-giornaliero" aria-labelledby="bollettino-giornaliero-titolo" class="mb-4">
<h3 id="bollettino-giornaliero-titolo">Tasso giornaliero di assenza – ultime settimane</h3>
{{- if .Giorni}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>Quota di alunni assenti sul totale degli iscritti, per giorno di scuola, con il valore atteso e la soglia superiore del metodo di rilevazione.</caption>
<thead><tr><th scope="col">Giorno</th><th scope="col" class="text-end">Tasso</th><th scope="col" class="text-end">Atteso</th><th scope="col" class="text-end">Soglia</th><th scope="col">Allarme</th></tr></thead>
<tbody>
{{- range .Giorni}}
<tr{{if .Corrente}} class="table-warning"{{end}}><th scope="row">{{.Giorno}}</th><td class="text-end">{{.Tasso}}</td><td class="text-end">{{.Atteso}}</td><td class="text-end">{{.Soglia}}</td><td>{{if .Allarme}}<strong>▲ allarme</strong>{{else if .Incompleto}}dato incompleto{{else}}–{{end}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">Nessun dato giornaliero disponibile per il periodo.</p>
{{- end}}
</section>

<section id="bollettino-settimanale" aria-labelledby="bollettino-settimanale-titolo" class="mb-4">
<h3 id="bollettino-settimanale-titolo">Andamento settimanale e confronto con l'anno scolastico precedente</h3>
{{- if .Settimane}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>Tasso medio settimanale di assenza per settimana ISO{{if .HaPrecedente}}, a confronto con le stesse settimane dell'anno precedente{{end}}{{if .HaInfluNet}}, e incidenza InfluNet delle sindromi simil-influenzali (5–14 anni, casi per 1.000){{end}}.</caption>
<thead><tr><th scope="col">Settimana ISO</th><th scope="col">Dal</th><th scope="col" class="text-end">{{.AnnoCorrente}}</th>{{if .HaPrecedente}}<th scope="col" class="text-end">{{.AnnoPrecedente}}</th>{{end}}{{if .HaInfluNet}}<th scope="col" class="text-end">InfluNet (per 1.000)</th>{{end}}</tr></thead>
<tbody>
{{- range .Settimane}}
<tr{{if .Corrente}} class="table-warning"{{end}}><th scope="row">{{.Settimana}}</th><td>{{.Dal}}</td><td class="text-end">{{.Tasso}}</td>{{if $.HaPrecedente}}<td class="text-end">{{.Precedente}}</td>{{end}}{{if $.HaInfluNet}}<td class="text-end">{{.InfluNet}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">Nessun dato settimanale disponibile.</p>
{{- end}}
</section>

<section id="bollettino-gruppi" aria-labelledby="bollettino-gruppi-titolo" class="mb-4">
<h3 id="bollettino-gruppi-titolo">Tasso di assenza per gruppo</h3>
{{- if .Gruppi}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>Variazione in punti percentuali (p.p.) rispetto alla settimana precedente.</caption>
<thead><tr><th scope="col">Gruppo</th><th scope="col" class="text-end">Plessi</th><th scope="col" class="text-end">Tasso</th><th scope="col" class="text-end">Settimana precedente</th><th scope="col" class="text-end">Variazione</th></tr></thead>
<tbody>
{{- range .Gruppi}}
<tr><th scope="row">{{.Nome}}</th><td class="text-end">{{.Plessi}}</td><td class="text-end">{{.Tasso}}</td><td class="text-end">{{.Prec}}</td><td class="text-end">{{.Variazione}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">Nessun dato per gruppo disponibile.</p>
{{- end}}
</section>

<section id="bollettino-allerte" aria-labelledby="bollettino-allerte-titolo" class="mb-4">
<h3 id="bollettino-allerte-titolo">Allerte statistiche</h3>
{{- if .Allerte}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<thead><tr><th scope="col">N.</th><th scope="col">Data</th><th scope="col">Serie</th><th scope="col" class="text-end">Osservato</th><th scope="col" class="text-end">Atteso</th><th scope="col" class="text-end">Soglia</th><th scope="col">Metodo</th><th scope="col">Stato</th></tr></thead>
<tbody>
{{- range .Allerte}}
<tr><th scope="row">{{.ID}}</th><td>{{.Data}}</td><td>{{.Serie}}</td><td class="text-end">{{.Osservato}}</td><td class="text-end">{{.Atteso}}</td><td class="text-end">{{.Soglia}}</td><td>{{.Metodo}}</td><td>{{.Stato}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">Nessuna allerta statistica nella settimana.</p>
{{- end}}
</section>

<section id="bollettino-completezza" aria-labelledby="bollettino-completezza-titolo" class="mb-4">
<h3 id="bollettino-completezza-titolo">Completezza delle segnalazioni</h3>
{{- if .Completezza}}
<div class="table-responsive" tabindex="0"><table class="table table-sm">
<caption>Segnalazioni ricevute (in tempo o in ritardo) sul totale di quelle attese dai plessi sentinella.</caption>
<thead><tr><th scope="col">Periodo</th><th scope="col" class="text-end">In tempo</th><th scope="col" class="text-end">In ritardo</th><th scope="col" class="text-end">Mancanti</th><th scope="col" class="text-end">Attese</th><th scope="col" class="text-end">Completezza</th></tr></thead>
<tbody>
{{- range .Completezza}}
<tr><th scope="row">{{.Periodo}}</th><td class="text-end">{{.InTempo}}</td><td class="text-end">{{.InRitardo}}</td><td class="text-end">{{.Mancanti}}</td><td class="text-end">{{.Totale}}</td><td class="text-end">{{.Quota}}</td></tr>
{{- end}}
</tbody>
</table></div>
{{- else}}
<p class="text-muted">Nessun dato di completezza disponibile.</p>
{{- end}}
</section>
{{- if .Metodi}}

<section id="bollettino-metodi" aria-labelledby="bollettino-metodi-titolo" class="mb-4">
<h3 id="bollettino-metodi-titolo">Metodi</h3>
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

type vistaAllerta struct{ ID, Data, Serie, Osservato, Atteso, Soglia, Metodo, Stato string }

type vistaCompletezza struct{ Periodo, InTempo, InRitardo, Mancanti, Totale, Quota string }

type vista struct {
	Titolo, NomeATS, Periodo, Info, Generato, Sintesi, Metodi, Privacy string
	AnnoCorrente, AnnoPrecedente                                       string
	HaPrecedente, HaInfluNet                                           bool
	Indicatori                                                         []vistaIndicatore
	Giorni                                                             []vistaGiorno
	Settimane                                                          []vistaSettimana
	Gruppi                                                             []vistaGruppo
	Allerte                                                            []vistaAllerta
	Completezza                                                        []vistaCompletezza
}

// pctOpt is Pct, or "–" when the value is missing (NaN or not positive).
func pctOpt(x float64, ok bool) string {
	if !ok || !finito(x) {
		return "–"
	}
	return Pct(x)
}

// HTML renders the bulletin as a self-contained HTML fragment (no <html>,
// no inline script or style) with the sections of the PDF; the charts'
// numbers are given as tables.
func HTML(d Dati) (string, error) {
	v := vista{
		Titolo:         Titolo,
		NomeATS:        d.NomeATS,
		Periodo:        periodo(d),
		Sintesi:        Sintesi(d),
		Metodi:         strings.TrimSpace(d.Metodi),
		Privacy:        NotaPrivacy,
		AnnoCorrente:   "Anno corrente",
		AnnoPrecedente: "Anno precedente",
	}
	if !d.Settimana.IsZero() {
		_, w := d.Settimana.ISOWeek()
		v.Info = fmt.Sprintf("settimana ISO %d, anno scolastico %s", w, annoScolastico(d.Settimana))
		v.AnnoCorrente = "a.s. " + annoScolastico(d.Settimana)
		v.AnnoPrecedente = "a.s. " + annoScolastico(d.Settimana.AddDate(-1, 0, 0))
	}
	if !d.Generato.IsZero() {
		v.Generato = oraItaliana(d.Generato)
	}
	for _, t := range indicatoriDi(d) {
		v.Indicatori = append(v.Indicatori, vistaIndicatore(t))
	}
	fine := sabato(d).AddDate(0, 0, 1)
	for _, p := range d.Serie {
		conSoglia := finito(p.Soglia) && p.Soglia > 0
		v.Giorni = append(v.Giorni, vistaGiorno{
			Giorno:     giornoBreve(p.Giorno) + p.Giorno.Format("/2006"),
			Tasso:      pctOpt(p.Tasso, true),
			Atteso:     pctOpt(p.Atteso, conSoglia),
			Soglia:     pctOpt(p.Soglia, conSoglia),
			Allarme:    p.Allarme,
			Incompleto: !p.Valido,
			Corrente:   !d.Settimana.IsZero() && !p.Giorno.Before(d.Settimana) && p.Giorno.Before(fine),
		})
	}
	for _, r := range settimaneUnite(d) {
		s := vistaSettimana{
			Settimana:  fmt.Sprintf("%d", r.Settimana),
			Dal:        "–",
			Tasso:      pctOpt(r.Tasso, true),
			Precedente: pctOpt(r.Precedente, true),
			InfluNet:   "–",
			Corrente:   r.Corrente,
		}
		if !r.Lunedi.IsZero() {
			s.Dal = data(r.Lunedi)
		}
		if finito(r.InfluNet) {
			s.InfluNet = decimale(r.InfluNet, 1)
			v.HaInfluNet = true
		}
		if finito(r.Precedente) {
			v.HaPrecedente = true
		}
		v.Settimane = append(v.Settimane, s)
	}
	for _, g := range d.Gruppi {
		v.Gruppi = append(v.Gruppi, vistaGruppo{g.Nome, intero(g.Plessi), Pct(g.Tasso), Pct(g.TassoPrec), variazione(g)})
	}
	for _, a := range d.Allerte {
		v.Allerte = append(v.Allerte, vistaAllerta{intero(int(a.ID)), data(a.Data), NomeSerie(a.Serie),
			Pct(a.Osservato), Pct(a.Atteso), Pct(a.Soglia), a.Metodo, a.Stato})
	}
	for _, c := range d.Completezza {
		v.Completezza = append(v.Completezza, vistaCompletezza{c.Periodo, intero(c.InTempo), intero(c.InRitardo),
			intero(c.Mancanti), intero(c.chiuse()), Pct(quota(c.InTempo+c.InRitardo, c.chiuse()))})
	}
	var b strings.Builder
	if err := modello.Execute(&b, v); err != nil {
		return "", fmt.Errorf("bollettino: html: %w", err)
	}
	return b.String(), nil
}
