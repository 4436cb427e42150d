package axme

import (
	"bufio"
	"io"
	"strings"
)

// sseEvent is one dispatched Server-Sent Event.
type sseEvent struct {
	ID    string // the last event id at dispatch time
	HasID bool   // false while no id field was ever seen
	Event string // "message" when the frame had no event field
	Data  string
}

// sseParser is an incremental WHATWG EventSource parser: next returns each
// event as soon as its terminating blank line has been read, so a caller
// sees events while the connection stays open. CR, LF and CRLF all end a
// line; an event not ended by a blank line is dropped at end of stream.
type sseParser struct {
	r       *bufio.Reader
	started bool
	afterCR bool // the previous line ended in CR: a following LF belongs to it

	lastID   string
	hasID    bool
	retryMS  int
	hasRetry bool

	data      strings.Builder
	eventType string
	line      []byte
}

func newSSEParser(r io.Reader) *sseParser {
	return &sseParser{r: bufio.NewReaderSize(r, 4096)}
}

// retry returns the last valid retry: value in milliseconds.
func (p *sseParser) retry() (int, bool) { return p.retryMS, p.hasRetry }

// next returns the next event, or the read error (io.EOF at a clean end).
func (p *sseParser) next() (sseEvent, error) {
	if !p.started {
		p.started = true
		if b, err := p.r.Peek(3); err == nil && string(b) == "\ufeff" {
			_, _ = p.r.Discard(3)
		}
	}
	for {
		line, err := p.readLine()
		if err != nil {
			return sseEvent{}, err
		}
		if ev, ok := p.processLine(line); ok {
			return ev, nil
		}
	}
}

// readLine returns one line without its terminator.
func (p *sseParser) readLine() (string, error) {
	p.line = p.line[:0]
	for {
		b, err := p.r.ReadByte()
		if err != nil {
			return "", err // a partial last line is discarded with its event
		}
		if p.afterCR {
			p.afterCR = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\r':
			p.afterCR = true
			return string(p.line), nil
		case '\n':
			return string(p.line), nil
		}
		p.line = append(p.line, b)
	}
}

// processLine applies one line; it returns an event when the line dispatches one.
func (p *sseParser) processLine(line string) (sseEvent, bool) {
	if line == "" {
		return p.dispatch()
	}
	if line[0] == ':' {
		return sseEvent{}, false // comment, e.g. keepalive
	}
	field, value := line, ""
	if i := strings.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = strings.TrimPrefix(value, " ")
	}
	switch field {
	case "event":
		p.eventType = value
	case "data":
		p.data.WriteString(value)
		p.data.WriteByte('\n')
	case "id":
		if !strings.ContainsRune(value, 0) {
			p.lastID, p.hasID = value, true
		}
	case "retry":
		if ms, ok := parseDigits(value); ok {
			p.retryMS, p.hasRetry = ms, true
		}
	}
	return sseEvent{}, false
}

func (p *sseParser) dispatch() (sseEvent, bool) {
	data := p.data.String()
	eventType := p.eventType
	p.data.Reset()
	p.eventType = ""
	if data == "" {
		return sseEvent{}, false
	}
	if eventType == "" {
		eventType = "message"
	}
	return sseEvent{ID: p.lastID, HasID: p.hasID, Event: eventType, Data: strings.TrimSuffix(data, "\n")}, true
}

// parseDigits accepts only ASCII digits (the retry field rule).
func parseDigits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
