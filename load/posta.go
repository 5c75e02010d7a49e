package load

import (
	"io"
	"net"
	"sync/atomic"

	"github.com/emersion/go-smtp"
)

// Posta is an SMTP server that accepts and counts every message: the
// emergency mix sends its reminders to it (`load --reminders`), so that
// sending them is measured against the submissions without a real relay.
type Posta struct {
	Host     string
	Port     int
	ricevuti atomic.Int64
	srv      *smtp.Server
}

// AvviaPosta listens on a free loopback port.
func AvviaPosta() (*Posta, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Posta{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port}
	p.srv = smtp.NewServer(postaBackend{p})
	p.srv.Domain = "localhost"
	p.srv.AllowInsecureAuth = true
	go p.srv.Serve(l)
	return p, nil
}

// Ricevuti is the number of messages accepted.
func (p *Posta) Ricevuti() int { return int(p.ricevuti.Load()) }

// Chiudi stops the server.
func (p *Posta) Chiudi() error { return p.srv.Close() }

type postaBackend struct{ p *Posta }

func (b postaBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return postaSession{b.p}, nil }

type postaSession struct{ p *Posta }

func (s postaSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s postaSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s postaSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.p.ricevuti.Add(1)
	return nil
}
func (s postaSession) Reset()        {}
func (s postaSession) Logout() error { return nil }
