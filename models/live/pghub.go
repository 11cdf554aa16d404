package live

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"retreat/models"
)

// PostgresHub is a Hub shared by every app instance on one PostgreSQL
// database: a message published on one instance reaches the followers
// connected to all of them.
//
// Publish hands the message to this instance's followers at once (a
// MemoryHub does the local fan-out) and sends it to the others with
// NOTIFY; each instance keeps one connection LISTENing and feeds what
// arrives to its own MemoryHub. NOTIFY payloads are limited to 8000 bytes,
// so a larger message is sent in parts within one transaction: PostgreSQL
// queues a transaction's notifications together, in order, so the parts
// arrive one after the other.
//
// If the LISTEN connection drops, the hub reconnects and then catches up
// every event with followers here: each gets the reveal's current state
// read from the database, so nobody is left on a stale slide.
type PostgresHub struct {
	local    *MemoryHub
	store    *models.Store
	url      string
	instance string
	log      *slog.Logger

	mu      sync.Mutex
	lastSeq map[uint]int64 // newest state delivered here, per event
	closed  bool

	cancel  context.CancelFunc
	stopped chan struct{}
}

var _ Hub = (*PostgresHub)(nil)

// pgChannel is the NOTIFY channel live messages travel on.
const pgChannel = "retreat_live"

// maxNotifyPart bounds one NOTIFY payload (header and data), safely under
// PostgreSQL's 8000-byte limit.
const maxNotifyPart = 7000

// NewPostgresHub connects the listening side to the database at
// databaseURL and returns once it is listening, so nothing published
// after it returns is missed. Publishing goes through store's pool.
func NewPostgresHub(ctx context.Context, store *models.Store, databaseURL string, log *slog.Logger) (*PostgresHub, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	h := &PostgresHub{local: NewMemoryHub(0), store: store, url: databaseURL, instance: hex.EncodeToString(id[:]),
		log: log, lastSeq: map[uint]int64{}, stopped: make(chan struct{})}
	conn, err := h.connect(ctx)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go h.listen(lctx, conn)
	return h, nil
}

func (h *PostgresHub) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, h.url)
	if err != nil {
		return nil, fmt.Errorf("live hub: connect to listen: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgChannel); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("live hub: listen: %w", err)
	}
	return conn, nil
}

// Subscribe registers a reader on this instance.
func (h *PostgresHub) Subscribe(eventID uint) (<-chan Message, func()) {
	return h.local.Subscribe(eventID)
}

// Subscribers counts the event's subscribers on this instance.
func (h *PostgresHub) Subscribers(eventID uint) int { return h.local.Subscribers(eventID) }

// Publish delivers m here and notifies the other instances.
func (h *PostgresHub) Publish(ctx context.Context, eventID uint, m Message) error {
	if strings.ContainsAny(m.Type, " \n") || m.Type == "" {
		return fmt.Errorf("live hub: message type %q", m.Type)
	}
	if !utf8.Valid(m.Data) || bytes.IndexByte(m.Data, 0) >= 0 {
		return errors.New("live hub: message data must be text (JSON)")
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return ErrHubClosed
	}
	if err := h.deliver(eventID, m); err != nil {
		return err
	}
	parts := h.encode(eventID, m)
	db := h.store.DB().WithContext(ctx)
	if len(parts) == 1 {
		if err := db.Exec("SELECT pg_notify(?, ?)", pgChannel, parts[0]).Error; err != nil {
			return fmt.Errorf("live hub: notify: %w", err)
		}
		return nil
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, p := range parts {
			if err := tx.Exec("SELECT pg_notify(?, ?)", pgChannel, p).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("live hub: notify %d parts: %w", len(parts), err)
	}
	return nil
}

// deliver hands m to this instance's followers, unless it is a state
// older than one already delivered (two presenters' changes can cross on
// the way between instances; the newer state wins).
func (h *PostgresHub) deliver(eventID uint, m Message) error {
	if m.IsState() && m.Seq > 0 {
		h.mu.Lock()
		if m.Seq <= h.lastSeq[eventID] {
			h.mu.Unlock()
			return nil
		}
		h.lastSeq[eventID] = m.Seq
		h.mu.Unlock()
	}
	return h.local.Publish(context.Background(), eventID, m)
}

// A notification is a header line, then (a part of) the data:
//
//	<instance> <event> <type> <seq> <message id> <part> <parts>\n<data>
//
// Parts are cut on UTF-8 boundaries, since payloads are text.
func (h *PostgresHub) encode(eventID uint, m Message) []string {
	var idb [4]byte
	_, _ = rand.Read(idb[:])
	msgID := hex.EncodeToString(idb[:])
	header := func(part, parts int) string {
		return fmt.Sprintf("%s %d %s %d %s %d %d\n", h.instance, eventID, m.Type, m.Seq, msgID, part, parts)
	}
	room := maxNotifyPart - len(header(999999, 999999))
	var chunks [][]byte
	data := m.Data
	for len(data) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(data[cut]) {
			cut--
		}
		chunks = append(chunks, data[:cut])
		data = data[cut:]
	}
	chunks = append(chunks, data)
	out := make([]string, len(chunks))
	for i, c := range chunks {
		out[i] = header(i+1, len(chunks)) + string(c)
	}
	return out
}

type notifyHeader struct {
	instance    string
	eventID     uint
	typ         string
	seq         int64
	msgID       string
	part, parts int
}

func parseNotification(payload string) (notifyHeader, string, error) {
	line, data, ok := strings.Cut(payload, "\n")
	f := strings.Fields(line)
	if !ok || len(f) != 7 {
		return notifyHeader{}, "", fmt.Errorf("malformed live notification %.40q", payload)
	}
	ev, err1 := strconv.ParseUint(f[1], 10, 32)
	seq, err2 := strconv.ParseInt(f[3], 10, 64)
	part, err3 := strconv.Atoi(f[5])
	parts, err4 := strconv.Atoi(f[6])
	if err := errors.Join(err1, err2, err3, err4); err != nil || part < 1 || part > parts {
		return notifyHeader{}, "", fmt.Errorf("malformed live notification header %q", line)
	}
	return notifyHeader{instance: f[0], eventID: uint(ev), typ: f[2], seq: seq, msgID: f[4], part: part, parts: parts}, data, nil
}

// listen feeds notifications to the local hub until ctx ends, reconnecting
// (with a growing pause) when the connection drops.
func (h *PostgresHub) listen(ctx context.Context, conn *pgx.Conn) {
	defer close(h.stopped)
	pause := 100 * time.Millisecond
	for {
		if conn != nil {
			err := h.receive(ctx, conn)
			_ = conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
			h.log.Warn("live hub: lost the LISTEN connection; reconnecting", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		c, err := h.connect(ctx)
		if err != nil {
			pause = min(2*pause, 5*time.Second)
			h.log.Warn("live hub: reconnect", "err", err)
			continue
		}
		pause = 100 * time.Millisecond
		conn = c
		h.catchUp(ctx)
	}
}

// receive reads notifications until the connection fails or ctx ends.
func (h *PostgresHub) receive(ctx context.Context, conn *pgx.Conn) error {
	var pending struct {
		hdr  notifyHeader
		data strings.Builder
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		hdr, data, err := parseNotification(n.Payload)
		if err != nil {
			h.log.Warn("live hub: skip notification", "err", err)
			continue
		}
		if hdr.instance == h.instance {
			continue // delivered here when published
		}
		if hdr.parts > 1 {
			if hdr.part == 1 {
				pending.hdr = hdr
				pending.data.Reset()
			} else if pending.hdr.msgID != hdr.msgID || pending.hdr.part != hdr.part-1 {
				h.log.Warn("live hub: skip a message that arrived incomplete", "event", hdr.eventID, "type", hdr.typ)
				pending.hdr = notifyHeader{}
				continue
			}
			pending.hdr.part = hdr.part
			pending.data.WriteString(data)
			if hdr.part < hdr.parts {
				continue
			}
			data = pending.data.String()
			pending.hdr = notifyHeader{}
		}
		if err := h.deliver(hdr.eventID, Message{Type: hdr.typ, Seq: hdr.seq, Data: []byte(data)}); err != nil {
			return err
		}
	}
}

// catchUp sends every event followed here its current reveal state: what
// was published while the connection was down is lost, and the state
// supersedes it.
func (h *PostgresHub) catchUp(ctx context.Context) {
	h.local.mu.RLock()
	events := make([]uint, 0, len(h.local.subs))
	for id := range h.local.subs {
		events = append(events, id)
	}
	h.local.mu.RUnlock()
	for _, id := range events {
		seq, _, follower, err := h.store.RevealFollower(ctx, id)
		if err != nil {
			h.log.Warn("live hub: catch up after reconnecting", "event", id, "err", err)
			continue
		}
		if seq == 0 || follower == "" {
			continue
		}
		if err := h.deliver(id, Message{Type: TypeSlide, Seq: seq, Data: []byte(follower)}); err != nil {
			return
		}
	}
}

// Dropped counts messages slow subscribers here lost so far.
func (h *PostgresHub) Dropped() int64 { return h.local.Dropped() }

// Close stops listening and ends every subscription here.
func (h *PostgresHub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	<-h.stopped
	h.local.Close()
}
