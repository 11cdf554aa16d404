package handlertest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Client sends requests through the app's router like one browser: it
// keeps cookies and sends the CSRF token the way forms do.
type Client struct {
	app *App
	jar *cookiejar.Jar
	// Accept is sent with every request ("" for a browser-like text/html).
	Accept string
}

var base, _ = url.Parse("http://retreat.test/")

// Client returns a new browser-like client with an empty cookie jar.
func (a *App) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{app: a, jar: jar}
}

// Do sends req through the router and records the response.
func (c *Client) Do(req *http.Request) *httptest.ResponseRecorder {
	c.app.T.Helper()
	u := base.ResolveReference(req.URL)
	req.URL = u
	req.Host = u.Host
	req.RequestURI = u.RequestURI()
	for _, ck := range c.jar.Cookies(u) {
		req.AddCookie(ck)
	}
	if req.Header.Get("Accept") == "" {
		if c.Accept != "" {
			req.Header.Set("Accept", c.Accept)
		} else {
			req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		}
	}
	rec := httptest.NewRecorder()
	c.app.Echo.ServeHTTP(rec, req)
	c.jar.SetCookies(u, rec.Result().Cookies())
	return rec
}

// Get fetches path.
func (c *Client) Get(path string) *httptest.ResponseRecorder {
	c.app.T.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// CSRF returns the token a form on this client's last page would carry,
// fetching a page first if the client has none yet.
func (c *Client) CSRF() string {
	c.app.T.Helper()
	for _, ck := range c.jar.Cookies(base) {
		if ck.Name == "retreat_csrf" {
			return ck.Value
		}
	}
	c.Get("/healthz")
	c.Get("/login")
	for _, ck := range c.jar.Cookies(base) {
		if ck.Name == "retreat_csrf" {
			return ck.Value
		}
	}
	c.app.T.Fatal("no CSRF cookie was set")
	return ""
}

// PostForm submits a URL-encoded form with the CSRF token, as a page would.
func (c *Client) PostForm(path string, form url.Values) *httptest.ResponseRecorder {
	c.app.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF())
	}
	return c.PostRaw(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// PostRaw sends a body as is: no CSRF token is added.
func (c *Client) PostRaw(path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	c.app.T.Helper()
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", contentType)
	return c.Do(req)
}

// Multipart builds a multipart body with fields and, if filePath is set,
// the file under fileField (named like the file).
func Multipart(t testing.TB, fields map[string]string, fileField, filePath string) (contentType string, body *bytes.Buffer) {
	t.Helper()
	body = &bytes.Buffer{}
	w := multipart.NewWriter(body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if filePath != "" {
		data, err := os.ReadFile(filePath)
		if err != nil {
			t.Fatal(err)
		}
		fw, err := w.CreateFormFile(fileField, filepath.Base(filePath))
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	return w.FormDataContentType(), body
}

// Upload posts a photo answer as the upload form does (token in the action
// URL), returning the response.
func (c *Client) Upload(path, caption, filePath string) *httptest.ResponseRecorder {
	c.app.T.Helper()
	ct, body := Multipart(c.app.T, map[string]string{"caption": caption}, "photo", filePath)
	return c.PostRaw(path+"?_csrf="+url.QueryEscape(c.CSRF()), ct, body)
}

// JSON decodes a recorded JSON body into a map.
func JSON(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("response is not JSON (%d): %v\n%s", rec.Code, err, rec.Body.String())
	}
	return m
}
