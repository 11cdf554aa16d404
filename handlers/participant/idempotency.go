package participant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"retreat/models"
	"retreat/models/media"
)

// A phone that times out waiting for "Saved!" sends the same upload again.
// Each upload carries an idempotency key: upload.js makes one per chosen
// file and prompt (the Idempotency-Key header, and the tus metadata "key");
// the page itself renders one into a hidden "upload_key" field for
// browsers without scripts. The same key with the same bytes and caption
// gets the first answer back, without processing the photo again (see
// models.UploadReceipt).

// idempotencyKey picks the key of a request: the header (RFC draft
// "Idempotency-Key", a quoted string; a bare token is accepted too), else
// the form field. An invalid key is ignored: the upload is then handled as
// new, as it would be without one.
func idempotencyKey(header, field string) string {
	for _, k := range []string{header, field} {
		k = strings.TrimSpace(k)
		if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
			k = k[1 : len(k)-1]
		}
		if models.ValidUploadKey(k) {
			return k
		}
	}
	return ""
}

// keyLocks serialises requests carrying the same participant and key, so a
// retry that arrives while the first attempt is still being processed waits
// for it and then finds its receipt. It is one process's; with shared
// uploads (several instances) a database lease does the same across them.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	waiters int
}

func (k *keyLocks) lock(name string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = make(map[string]*keyLock)
	}
	l := k.m[name]
	if l == nil {
		l = &keyLock{}
		k.m[name] = l
	}
	l.waiters++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.waiters--; l.waiters == 0 {
			delete(k.m, name)
		}
		k.mu.Unlock()
	}
}

// processOnce processes and stores the photo at path as pa's answer to p,
// unless the same upload (key, bytes, caption) was stored before: then it
// returns that answer untouched.
func (h *Handler) processOnce(ctx context.Context, ev *models.Event, p *models.Prompt, pa *models.Participant,
	caption, path string, rc models.Receipt, opts ...models.AnswerOptions) (*models.Submission, error) {
	if rc.Key == "" {
		res, err := h.process(ctx, pa, path)
		if err != nil {
			return nil, err
		}
		return h.store.StorePhotoAnswer(ctx, h.photos, ev, p, pa, caption, path, res, opts...)
	}
	name := fmt.Sprintf("%d/%s", pa.ID, rc.Key)
	unlock := h.keys.lock(name)
	defer unlock()
	if h.sharedUploads {
		sum := sha256.Sum256([]byte(name))
		release, err := h.store.HoldLease(ctx, "upload:"+hex.EncodeToString(sum[:20]), 5*time.Minute)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	sub, err := h.store.RepeatedUpload(ctx, pa, caption, rc)
	switch {
	case err == nil:
		h.log.Info("repeated upload answered from its receipt", "participant", pa.ID, "submission", sub.ID)
		return sub, nil
	case !errors.Is(err, models.ErrNotFound):
		return nil, err
	}
	res, err := h.process(ctx, pa, path)
	if err != nil {
		return nil, err
	}
	return h.store.StoreReceiptedPhotoAnswer(ctx, h.photos, ev, p, pa, caption, path, res, rc, opts...)
}

// process runs the photo pipeline on an upload. A photo refused for taking
// longer than --photo-timeout is also the operator's business (the machine
// may be too slow for the limit), so it is logged as a warning; other
// refusals are the sender's and are logged with the request.
//
// The participant is the photo's owner in the worker queue, so one phone's
// burst of uploads takes turns with everyone else's instead of going first.
func (h *Handler) process(ctx context.Context, pa *models.Participant, path string) (*media.Result, error) {
	res, err := h.images.ProcessFor(ctx, strconv.FormatUint(uint64(pa.ID), 10), path)
	if r, ok := media.IsRefusal(err); ok && r.Reason == media.ReasonTooSlow {
		h.log.Warn("photo refused: decoding took longer than --photo-timeout", "participant", pa.ID, "limit", h.images.Limits().MaxProcessTime, "err", err)
	}
	return res, err
}

// fileSHA256 hashes a finished resumable upload (multipart uploads are
// hashed while they stream in).
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash upload: %w", err)
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", fmt.Errorf("hash upload: %w", err)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}
