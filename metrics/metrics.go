// Package metriche holds the portal's Prometheus metrics, in one registry
// that /metrics exposes.
package metrics

import (
	"context"
	"github.com/portalescuole/portalescuole/store"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry is what /metrics serves.
var Registry = prometheus.NewRegistry()

var (
	// Richieste counts HTTP requests by route pattern, method and status.
	Richieste = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portale_http_requests_total", Help: "HTTP requests by route, method and status code.",
	}, []string{"route", "method", "code"})
	// Latenza is the request duration by route pattern.
	Latenza = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "portale_http_request_duration_seconds", Help: "HTTP request duration by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	// Invii counts accepted absence submissions by source (modulo, file, api).
	Invii = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portale_submissions_total", Help: "Absence submissions saved, by source.",
	}, []string{"fonte"})
	// Consistenze counts enrolment revisions saved.
	Consistenze = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "portale_enrolment_revisions_total", Help: "Enrolment (iscritti/classi) revisions saved.",
	})
	// Login counts login attempts by outcome.
	Login = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portale_logins_total", Help: "Login attempts by outcome.",
	}, []string{"esito"})
	// HashInCorso is the number of password hashes running.
	HashInCorso = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "portale_password_hashes_in_flight", Help: "argon2id hashes running (bounded).",
	})
	// Rilevazioni counts detection runs; RilevazioneDurata times them.
	Rilevazioni = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "portale_detection_runs_total", Help: "Detection runs.",
	})
	RilevazioneDurata = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "portale_detection_run_seconds", Help: "Duration of a detection run.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
	})
	// Segnali counts new signals.
	Segnali = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "portale_signals_total", Help: "New signals (alerts) stored.",
	})
	// Email counts outbox deliveries by outcome.
	Email = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portale_outbox_deliveries_total", Help: "Outbox delivery attempts by outcome.",
	}, []string{"esito"})
)

func init() {
	Registry.MustRegister(Richieste, Latenza, Invii, Consistenze, Login, HashInCorso, Rilevazioni, RilevazioneDurata, Segnali, Email,
		outbox, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// outboxCollector reports the outbox queue by status at scrape time, from
// the database of the latest server (one per process, except in tests).
type outboxCollector struct {
	db   atomic.Pointer[store.DB]
	desc *prometheus.Desc
}

var outbox = &outboxCollector{desc: prometheus.NewDesc("portale_outbox_messages", "Outbox messages by status.", []string{"status"}, nil)}

// RegistraOutbox makes the outbox gauge read db.
func RegistraOutbox(db *store.DB) { outbox.db.Store(db) }

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	db := c.db.Load()
	if db == nil {
		return
	}
	counts, err := db.OutboxCounts(ctx)
	if err != nil {
		return
	}
	for s, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), s)
	}
}

// PiccoMemoria returns the process's peak resident memory in bytes (0
// where the system does not say).
func PiccoMemoria() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024 // kilobytes on Linux
}
