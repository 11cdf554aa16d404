package participant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	expslog "golang.org/x/exp/slog" // tusd v2 logs through x/exp/slog

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// Resumable photo uploads speak the tus protocol (tus.io): a phone that
// loses its connection asks how much arrived and sends only the rest. The
// plain multipart form (submitAnswer) stays as the fallback.
//
// Authorisation happens in front of tusd, in authorizeTus: creating an
// upload needs a participant session for the event and an open photo
// prompt; every later request on an upload must come from the participant
// who created it. The server, not the client, records who that is. Both
// also go through the limits on unfinished uploads (resumable_limits.go).

// tusPath is where the tus endpoint is mounted.
const tusPath = "/tus/"

type uploadKey struct{}

// uploadOwner is who may create or continue an upload, and for what.
type uploadOwner struct {
	eventID, promptID, participantID uint
	// id is the upload's id, reserved before tusd creates it (reserve).
	id string
	// size is the announced Upload-Length of a new upload.
	size int64
}

func (h *Handler) newTus(dir string) (*tusd.Handler, tusStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create resumable upload folder: %w", err)
	}
	composer := tusd.NewStoreComposer()
	var store tusStore
	if h.sharedUploads {
		// Any instance may get the next request about an upload.
		shared, err := newSharedTusStore(h.photos, dir)
		if err != nil {
			return nil, nil, err
		}
		shared.useIn(composer, h.store)
		h.shared, store = shared, shared
	} else {
		fs := filestore.New(dir)
		fs.UseIn(composer)
		memorylocker.New().UseIn(composer)
		store = &fs
	}
	th, err := tusd.NewHandler(tusd.Config{
		BasePath:      tusPath,
		StoreComposer: composer,
		MaxSize:       h.images.Limits().MaxBytes,
		// Uploads are private: nobody downloads them back through tus.
		DisableDownload:           true,
		Cors:                      &tusd.CorsConfig{Disable: true},
		Logger:                    expslog.New(expslog.NewTextHandler(io.Discard, nil)),
		PreUploadCreateCallback:   h.tusCreate,
		PreFinishResponseCallback: h.tusFinish,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("build resumable upload handler: %w", err)
	}
	return th, store, nil
}

// registerTus mounts the tus endpoint behind authorizeTus.
func (h *Handler) registerTus(g *echo.Group, dir string) error {
	th, store, err := h.newTus(dir)
	if err != nil {
		return err
	}
	h.tusStore = store
	h.tusDir = dir
	handler := echo.WrapHandler(http.StripPrefix(tusPath[:len(tusPath)-1], th))
	g.Match([]string{http.MethodPost, http.MethodHead, http.MethodPatch, http.MethodDelete, http.MethodOptions}, tusPath, handler, h.authorizeTus)
	g.Match([]string{http.MethodPost, http.MethodHead, http.MethodPatch, http.MethodDelete, http.MethodOptions}, tusPath+":upload", handler, h.authorizeTus)
	return nil
}

// tusError answers in the JSON shape the rest of the app uses, which the
// upload script shows as is.
func tusError(status int, msg string) tusd.Error {
	body, _ := json.Marshal(map[string]string{"error": msg})
	return tusd.Error{ErrorCode: "ERR_RETREAT", Message: msg, HTTPResponse: tusd.HTTPResponse{
		StatusCode: status, Body: string(body), Header: tusd.HTTPHeader{"Content-Type": "application/json"},
	}}
}

// authorizeTus checks who is asking before tusd sees the request.
func (h *Handler) authorizeTus(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method == http.MethodOptions {
			return next(c)
		}
		var owner uploadOwner
		if id := c.Param("upload"); id != "" {
			// Continuing an upload: only its creator may. The id names a
			// file in the upload folder, so anything but the shape tusd
			// makes is refused before it reaches the file system.
			if !validTusID(id) {
				return web.NewError(http.StatusNotFound, "This upload is gone. Send the photo again.", nil)
			}
			up, err := h.tusStore.GetUpload(req.Context(), id)
			if err == nil {
				var info tusd.FileInfo
				if info, err = up.GetInfo(req.Context()); err == nil {
					owner = ownerFromMeta(info.MetaData)
				}
			}
			switch {
			case errors.Is(err, tusd.ErrNotFound):
				return web.NewError(http.StatusNotFound, "This upload is gone. Send the photo again.", err)
			case err != nil:
				// Not "gone": the record could not be read just now (a
				// request cut off mid-way may still be writing it, on this
				// instance or another). The phone tries again by itself.
				c.Response().Header().Set("Retry-After", "1")
				return web.NewError(http.StatusServiceUnavailable, "The upload is busy for a moment. It carries on by itself.", err)
			}
			if owner.participantID == 0 || h.sessions.ParticipantID(c, owner.eventID) != owner.participantID {
				return web.NewError(http.StatusNotFound, "This upload is gone. Send the photo again.", nil)
			}
			if err := h.checkActive(c, id, owner); err != nil {
				return err
			}
			owner.id = id
		} else {
			if req.Method != http.MethodPost {
				return web.NewError(http.StatusMethodNotAllowed, "Create an upload with POST.", nil)
			}
			var err error
			if owner, err = h.authorizeNewUpload(c); err != nil {
				return err
			}
			if owner.id, err = h.reserve(c, owner); err != nil {
				return err
			}
		}
		c.SetRequest(req.WithContext(context.WithValue(req.Context(), uploadKey{}, owner)))
		err := next(c)
		h.afterTus(c, owner.id)
		return err
	}
}

// authorizeNewUpload checks a creation request: participant of the event,
// an open photo prompt, an acceptable caption and a size under the cap.
func (h *Handler) authorizeNewUpload(c echo.Context) (uploadOwner, error) {
	meta := tusd.ParseMetadataHeader(c.Request().Header.Get("Upload-Metadata"))
	eventID, _ := strconv.ParseUint(meta["event"], 10, 32)
	promptID, _ := strconv.ParseUint(meta["prompt"], 10, 32)
	pid := h.sessions.ParticipantID(c, uint(eventID))
	if eventID == 0 || promptID == 0 || pid == 0 {
		return uploadOwner{}, notJoined()
	}
	ctx := c.Request().Context()
	ev, err := h.store.Event(ctx, uint(eventID))
	if err != nil {
		return uploadOwner{}, err
	}
	p, err := h.store.EventPrompt(ctx, ev.ID, uint(promptID))
	if err != nil {
		return uploadOwner{}, err
	}
	pa, err := h.store.EventParticipant(ctx, ev.ID, pid)
	if err != nil {
		return uploadOwner{}, notJoined()
	}
	if err := h.store.CheckAnswerable(ev, p, pa, models.KindPhoto); err != nil {
		return uploadOwner{}, err
	}
	if err := models.ValidateCaption(meta["caption"]); err != nil {
		return uploadOwner{}, err
	}
	size, err := strconv.ParseInt(c.Request().Header.Get("Upload-Length"), 10, 64)
	if err != nil || size < 0 {
		return uploadOwner{}, web.NewError(http.StatusBadRequest, "The upload must say how large the photo is.", err)
	}
	if limit := h.images.Limits().MaxBytes; size > limit {
		return uploadOwner{}, &media.Refusal{Reason: "too-large", Message: fmt.Sprintf("This photo is larger than %d MB. Send a smaller one.", limit>>20)}
	}
	return uploadOwner{eventID: ev.ID, promptID: p.ID, participantID: pid, size: size}, nil
}

func ownerFromMeta(m tusd.MetaData) uploadOwner {
	parse := func(k string) uint {
		n, _ := strconv.ParseUint(m[k], 10, 32)
		return uint(n)
	}
	return uploadOwner{eventID: parse("event"), promptID: parse("prompt"), participantID: parse("participant")}
}

// tusCreate replaces the client's metadata with what was authorised, so
// the finished upload is attributed by the server, not by the client.
func (h *Handler) tusCreate(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	owner, ok := hook.Context.Value(uploadKey{}).(uploadOwner)
	if !ok {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(http.StatusForbidden, "Not allowed.")
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{ID: owner.id, MetaData: tusd.MetaData{
		"event":        strconv.FormatUint(uint64(owner.eventID), 10),
		"prompt":       strconv.FormatUint(uint64(owner.promptID), 10),
		"participant":  strconv.FormatUint(uint64(owner.participantID), 10),
		"caption":      hook.Upload.MetaData["caption"],
		"key":          idempotencyKey("", hook.Upload.MetaData["key"]),
		"not_for_live": notForLiveMeta(hook.Upload.MetaData["not_for_live"]),
	}}, nil
}

// tusFinish runs when the last byte arrived: the same pipeline and save as
// the multipart form, answered before the client's final PATCH returns.
func (h *Handler) tusFinish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	// The phone may hang up now; the photo is complete, so store it anyway.
	ctx := context.WithoutCancel(hook.Context)
	defer h.removeTusUpload(ctx, hook.Upload.ID)
	res, err := h.finishUpload(ctx, hook.Upload)
	if err != nil {
		status, msg := web.Describe(err)
		if status >= 500 {
			h.log.Error("finish resumable upload", "err", err)
		}
		return tusd.HTTPResponse{}, tusError(status, msg)
	}
	h.sessions.FlashContext(hook.Context, res.Message)
	body, _ := json.Marshal(res)
	return tusd.HTTPResponse{StatusCode: http.StatusOK, Body: string(body), Header: tusd.HTTPHeader{"Content-Type": "application/json"}}, nil
}

func (h *Handler) finishUpload(ctx context.Context, info tusd.FileInfo) (*answerResponse, error) {
	owner := ownerFromMeta(info.MetaData)
	ev, err := h.store.Event(ctx, owner.eventID)
	if err != nil {
		return nil, err
	}
	pa, err := h.store.EventParticipant(ctx, ev.ID, owner.participantID)
	if err != nil {
		return nil, err
	}
	p, err := h.store.EventPrompt(ctx, ev.ID, owner.promptID)
	if err != nil {
		return nil, err
	}
	path := info.Storage["Path"]
	if h.shared != nil {
		up, err := h.shared.GetUpload(ctx, info.ID)
		if err != nil {
			return nil, err
		}
		if path, err = h.shared.localCopy(ctx, up); err != nil {
			return nil, err
		}
		defer os.Remove(path)
	}
	rc := models.Receipt{Key: idempotencyKey("", info.MetaData["key"])}
	if rc.Key != "" {
		if rc.SHA256, err = fileSHA256(path); err != nil {
			return nil, err
		}
	}
	sub, err := h.processOnce(ctx, ev, p, pa, info.MetaData["caption"], path, rc,
		models.AnswerOptions{NotForLive: info.MetaData["not_for_live"] == "1"})
	if err != nil {
		return nil, err
	}
	return &answerResponse{Redirect: fmt.Sprintf("/e/%d", ev.ID), ThumbURL: h.photoURL(ev, sub, media.Thumb),
		Message: "Saved! You can replace it until the prompt closes."}, nil
}

func (h *Handler) removeTusUpload(ctx context.Context, id string) {
	up, err := h.tusStore.GetUpload(ctx, id)
	if err == nil {
		err = h.tusStore.AsTerminatableUpload(up).Terminate(ctx)
	}
	if err != nil {
		h.log.Warn("remove finished resumable upload", "id", id, "err", err)
	}
	// Finished: it no longer counts against the participant's uploads.
	if err := h.store.ReleaseUpload(ctx, id); err != nil {
		h.log.Warn("release finished resumable upload", "id", id, "err", err)
	}
}

// validTusID reports whether id has the shape of the ids tusd's file store
// makes (32 lower-case hex digits).
func validTusID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// notForLiveMeta normalises the "keep it out of the live reveal" choice a
// resumable upload carries ("1" or "").
func notForLiveMeta(v string) string {
	if v == "" || v == "0" || v == "false" {
		return ""
	}
	return "1"
}
