// Package smtptest is a real SMTP server on loopback for tests. It lives
// apart from package mail so that "testing" stays out of the binary.
package smtptest

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Server is a real SMTP server on loopback for tests: it records every
// message it accepts and can refuse the next N with a temporary error.
type Server struct {
	Addr string
	Port int

	mu       sync.Mutex
	messages []Received
	failNext int
	sessions int
}

// Received is a message the test server accepted.
type Received struct {
	From string
	To   []string
	Data string
}

// NewServer starts a server that stops at test cleanup.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ts := &Server{}
	srv := smtp.NewServer(backend{ts})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Addr = l.Addr().String()
	ts.Port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

// FailNext makes the next n deliveries fail with 451.
func (ts *Server) FailNext(n int) {
	ts.mu.Lock()
	ts.failNext = n
	ts.mu.Unlock()
}

// Messages returns what was accepted so far.
func (ts *Server) Messages() []Received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]Received(nil), ts.messages...)
}

// Sessions is the number of SMTP connections opened so far.
func (ts *Server) Sessions() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.sessions
}

// Header returns a decoded header of the message.
func (m Received) Header(name string) string {
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	v, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get(name))
	if err != nil {
		return msg.Header.Get(name)
	}
	return v
}

// Body returns the decoded text body (quoted-printable or plain).
func (m Received) Body() string {
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

type backend struct{ ts *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.ts.mu.Lock()
	b.ts.sessions++
	b.ts.mu.Unlock()
	return &session{ts: b.ts}, nil
}

type session struct {
	ts   *Server
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	if s.ts.failNext > 0 {
		s.ts.failNext--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try later"}
	}
	s.ts.messages = append(s.ts.messages, Received{From: s.from, To: s.to, Data: string(b)})
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
