package participant

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// answerResponse is what script callers (the upload progress bar) get back.
type answerResponse struct {
	Redirect string `json:"redirect"`
	ThumbURL string `json:"thumb_url,omitempty"`
	Message  string `json:"message"`
}

// submitAnswer takes a photo (multipart, streamed to disk) or a text answer.
func (h *Handler) submitAnswer(c echo.Context) error {
	ev, pa, p, err := h.loadPrompt(c)
	if err != nil {
		return err
	}
	// Refuse a closed prompt before reading a byte of a large upload.
	if err := h.store.CheckAnswerable(ev, p, pa, p.Kind); err != nil {
		return h.refuse(c, ev, pa, p, "", "", err)
	}
	var sub *models.Submission
	var caption, text string
	switch p.Kind {
	case models.KindPhoto:
		sub, caption, err = h.savePhoto(c, ev, pa, p)
	default:
		// A text answer is a small form; even sent as multipart (a
		// script's, or one with a file part) it is parsed within this
		// bound, in memory, never spooled.
		req := c.Request()
		req.Body = http.MaxBytesReader(c.Response(), req.Body, maxTextAnswerBytes)
		if err := req.ParseMultipartForm(maxTextAnswerBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return h.refuse(c, ev, pa, p, "", "", web.NewError(http.StatusBadRequest, "The answer could not be read. Keep it shorter and try again.", err))
		}
		text = c.FormValue("text")
		var old string
		sub, old, err = h.store.SaveTextAnswer(c.Request().Context(), ev, p, pa, text, models.AnswerOptions{NotForLive: c.FormValue("not_for_live") != ""})
		if err == nil && old != "" {
			if derr := models.DeletePhotoFolder(c.Request().Context(), h.photos, old); derr != nil {
				h.log.Warn("remove replaced photo", "err", derr)
			}
		}
	}
	if err != nil {
		return h.refuse(c, ev, pa, p, caption, text, err)
	}
	back := fmt.Sprintf("/e/%d", ev.ID)
	msg := "Saved! You can replace it until the prompt closes."
	// The list page shows the notice after the script navigates there too.
	h.sessions.Flash(c, msg)
	if web.WantsJSON(c) {
		res := answerResponse{Redirect: back, Message: msg}
		if sub.HasPhoto() {
			res.ThumbURL = h.photoURL(ev, sub, media.Thumb)
		}
		return c.JSON(http.StatusOK, res)
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// refuse answers a refused answer: JSON for scripts, or the prompt page
// again with the message and what the participant typed.
func (h *Handler) refuse(c echo.Context, ev *models.Event, pa *models.Participant, p *models.Prompt, caption, text string, err error) error {
	status, msg := web.Describe(err)
	if status >= 500 || web.WantsJSON(c) {
		return err
	}
	return h.renderPrompt(c, status, ev, pa, p, caption, text, msg)
}

// maxTextAnswerBytes bounds a text answer's whole body: the answer (2000
// characters, up to 4 bytes each, URL-encoded) and the form around it.
const maxTextAnswerBytes = 64 << 10

// maxFieldBytes bounds each non-file form field read from the stream.
const maxFieldBytes = 8 << 10

// maxParts bounds how many form parts one upload may have, so a form of
// garbage fields costs nothing.
const maxParts = 20

// savePhoto streams the multipart body: the caption into memory (bounded),
// the file straight to a temporary file, never the whole upload in memory.
func (h *Handler) savePhoto(c echo.Context, ev *models.Event, pa *models.Participant, p *models.Prompt) (*models.Submission, string, error) {
	req := c.Request()
	limit := h.images.Limits().MaxBytes
	// The cap is enforced while reading: the file cap plus room for the
	// other fields and multipart framing.
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit+64<<10)
	if ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); ct != echo.MIMEMultipartForm {
		return nil, "", web.NewError(http.StatusBadRequest, "Send the photo with the form on the prompt page.", nil)
	}
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, "", web.NewError(http.StatusBadRequest, "The upload could not be read. Try again.", err)
	}
	var caption, formKey string
	var opts models.AnswerOptions
	var tmp *os.File
	sum := sha256.New()
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, caption, uploadReadError(err, limit)
		}
		if parts >= maxParts {
			return nil, caption, web.NewError(http.StatusBadRequest, "The form has too many fields.", nil)
		}
		switch part.FormName() {
		case "caption":
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return nil, caption, uploadReadError(err, limit)
			}
			if len(b) > maxFieldBytes {
				return nil, "", &models.ValidationError{Fields: map[string]string{"caption": fmt.Sprintf("Keep the caption under %d characters.", models.MaxCaptionLength)}}
			}
			caption = string(b)
		case "upload_key":
			// Pages put it before the file inputs, so it arrives first.
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
			if err != nil {
				return nil, caption, uploadReadError(err, limit)
			}
			formKey = string(b)
		case "not_for_live":
			// The "keep it out of the live reveal" checkbox.
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
			if err != nil {
				return nil, caption, uploadReadError(err, limit)
			}
			opts.NotForLive = len(b) > 0
		case "photo":
			if part.FileName() == "" {
				// A file input left empty still sends a part: the
				// "take a photo" and "choose one" inputs share the name.
				if _, err := io.Copy(io.Discard, io.LimitReader(part, maxFieldBytes)); err != nil {
					return nil, caption, uploadReadError(err, limit)
				}
				continue
			}
			if tmp != nil {
				return nil, caption, web.NewError(http.StatusBadRequest, "Send one photo at a time.", nil)
			}
			if tmp, err = h.spool(part, limit, sum); err != nil {
				return nil, caption, err
			}
		default:
			// Unknown fields (including _csrf, already checked) are drained and ignored.
			if _, err := io.Copy(io.Discard, io.LimitReader(part, maxFieldBytes)); err != nil {
				return nil, caption, uploadReadError(err, limit)
			}
		}
		part.Close()
	}
	if err := models.ValidateCaption(caption); err != nil {
		return nil, caption, err
	}
	if tmp == nil {
		return nil, caption, &models.ValidationError{Fields: map[string]string{"photo": "Choose a photo first."}}
	}
	receipt := models.Receipt{Key: idempotencyKey(req.Header.Get("Idempotency-Key"), formKey), SHA256: hex.EncodeToString(sum.Sum(nil))}
	sub, err := h.processOnce(req.Context(), ev, p, pa, caption, tmp.Name(), receipt, opts)
	return sub, caption, err
}

// spool copies the file part to a temporary file, refusing it once it
// passes the byte cap.
func (h *Handler) spool(part *multipart.Part, limit int64, sum hash.Hash) (*os.File, error) {
	tmp, err := os.CreateTemp(h.uploadDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("create upload file: %w", err)
	}
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(part, limit+1))
	if err == nil && n > limit {
		err = &media.Refusal{Reason: "too-large", Message: fmt.Sprintf("This photo is larger than %d MB. Send a smaller one (most phones can share a smaller size).", limit>>20)}
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, uploadReadError(err, limit)
	}
	return tmp, nil
}

// uploadReadError explains why reading the upload stopped: too large, the
// connection dropped, or a malformed body.
func uploadReadError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	var ref *media.Refusal
	var we *web.Error
	switch {
	case errors.As(err, &ref), errors.As(err, &we):
		return err
	case errors.As(err, &tooBig):
		return &media.Refusal{Reason: "too-large", Message: fmt.Sprintf("This photo is larger than %d MB. Send a smaller one.", limit>>20)}
	case errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "connection reset"):
		return web.NewError(http.StatusBadRequest, "The upload was cut off before it finished. Try again.", err)
	}
	return web.NewError(http.StatusBadRequest, "The upload could not be read. Try again.", err)
}
