package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names a bucket in S3-compatible object storage (AWS S3, MinIO,
// versitygw, Ceph, Garage, …).
type S3Config struct {
	// Endpoint is the server's URL: "https://s3.eu-west-1.amazonaws.com",
	// "http://127.0.0.1:7070". Without a scheme, https is assumed.
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	// Region is the bucket's region ("" lets the client ask the server).
	Region string
	// PathStyle addresses the bucket in the path (http://host/bucket/key),
	// as most self-hosted servers need; otherwise the client picks
	// (virtual-hosted for AWS, path-style for IP addresses and localhost).
	PathStyle bool
	// Prefix is put in front of every key, so one bucket can hold several
	// installs (or tests). It must end with "/" when not empty.
	Prefix string
}

// Enabled reports whether object storage is configured at all.
func (c S3Config) Enabled() bool { return c.Endpoint != "" || c.Bucket != "" }

// Validate checks the settings before any connection is made.
func (c S3Config) Validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"endpoint", c.Endpoint}, {"bucket", c.Bucket}, {"access key", c.AccessKey}, {"secret key", c.SecretKey},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("S3 storage needs an %s", strings.Join(missing, ", "))
	}
	if _, _, err := c.hostAndTLS(); err != nil {
		return err
	}
	if c.Prefix != "" && (!strings.HasSuffix(c.Prefix, "/") || checkKeyChars(c.Prefix) != nil) {
		return fmt.Errorf("S3 key prefix %q: use [a-z0-9._-] segments ending with /", c.Prefix)
	}
	return nil
}

// Describe is the configuration for the start-up line, the secret masked.
func (c S3Config) Describe() string {
	if !c.Enabled() {
		return "off (photos on local disk)"
	}
	secret := ""
	if c.SecretKey != "" {
		secret = "***"
	}
	return fmt.Sprintf("endpoint=%s bucket=%s prefix=%q region=%q path-style=%t access-key=%s secret-key=%s",
		c.Endpoint, c.Bucket, c.Prefix, c.Region, c.PathStyle, c.AccessKey, secret)
}

func (c S3Config) hostAndTLS() (host string, secure bool, err error) {
	raw := c.Endpoint
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
		return "", false, fmt.Errorf("S3 endpoint %q: want http(s)://host[:port] with no path", c.Endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}

// S3Store is a Store in a bucket of S3-compatible object storage. Objects
// are private: photos reach browsers only through the app, which checks
// who may see them, exactly as with the disk store.
type S3Store struct {
	client *minio.Client
	bucket string
	prefix string
}

var _ Store = (*S3Store)(nil)

// NewS3Store connects to the bucket, creating it (private, as buckets are
// by default) if it does not exist yet.
func NewS3Store(ctx context.Context, cfg S3Config) (*S3Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	host, secure, _ := cfg.hostAndTLS()
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    s3Transport(secure),
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client for %s: %w", cfg.Endpoint, err)
	}
	s := &S3Store{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, err
	}
	return s, nil
}

// s3Transport is the HTTP transport for the S3 client: many idle
// connections per host, since every photo request streams from the bucket.
func s3Transport(secure bool) http.RoundTripper {
	t, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil // the client falls back to its own default
	}
	t.MaxIdleConnsPerHost = 64
	t.ResponseHeaderTimeout = time.Minute
	return t
}

func (s *S3Store) ensureBucket(ctx context.Context, region string) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("S3 bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if err != nil {
		// Another instance may have created it meanwhile.
		if code := minio.ToErrorResponse(err).Code; code == minio.BucketAlreadyOwnedByYou || code == minio.BucketAlreadyExists {
			return nil
		}
		return fmt.Errorf("create S3 bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Bucket is the bucket's name.
func (s *S3Store) Bucket() string { return s.bucket }

// Put uploads r's bytes under key. An object appears whole or not at all:
// S3 makes it visible only when the upload completes.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := validKey(key); err != nil {
		return err
	}
	size := readerSize(r)
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{
		ContentType: contentTypeOf(key),
		// Unknown sizes stream in 8 MB parts instead of minio's 16 MB
		// buffers; a photo is never near the 10,000-part limit.
		PartSize: 8 << 20,
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// readerSize tells the client how long r is when it can (bytes.Reader,
// strings.Reader, a file opened for reading), so the upload is one PUT
// without buffering; -1 otherwise.
func readerSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		st, err := v.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return -1
		}
		pos, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return st.Size() - pos
	}
	return -1
}

func contentTypeOf(key string) string {
	switch {
	case strings.HasSuffix(key, ".jpg"), strings.HasSuffix(key, ".jpeg"):
		return "image/jpeg"
	case strings.HasSuffix(key, ".png"):
		return "image/png"
	case strings.HasSuffix(key, ".webp"):
		return "image/webp"
	case strings.HasSuffix(key, ".heic"), strings.HasSuffix(key, ".heif"):
		return "image/heif"
	}
	return "application/octet-stream"
}

// Open starts downloading the object under key. The request is made here,
// so a missing key is reported now (wrapping ErrNotExist), not at the
// first Read.
func (s *S3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := validKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, s3Err(err))
	}
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, fmt.Errorf("open %s: %w", key, s3Err(err))
	}
	return obj, nil
}

// Delete removes the object under key; S3 does not mind a missing one.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s3Err(err), ErrNotExist) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// List calls fn with every key under prefix. S3 lists in UTF-8 binary
// order, which for our key alphabet is Go's string order, as DiskStore.
func (s *S3Store) List(ctx context.Context, prefix string, fn func(key string) error) error {
	if prefix != "" {
		if err := checkKeyChars(prefix); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn stops early
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("list %q: %w", prefix, obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, s.prefix)
		if validKey(key) != nil {
			continue // not ours (written by another tool)
		}
		if err := fn(key); err != nil {
			return fmt.Errorf("list %q: %w", prefix, err)
		}
	}
	return ctx.Err()
}

// ModTime returns when the object under key was written, so the start-up
// sweep leaves alone a photo another instance is saving right now.
func (s *S3Store) ModTime(ctx context.Context, key string) (time.Time, error) {
	if err := validKey(key); err != nil {
		return time.Time{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return time.Time{}, fmt.Errorf("stat %s: %w", key, s3Err(err))
	}
	return info.LastModified, nil
}

// Size returns the object's length in bytes.
func (s *S3Store) Size(ctx context.Context, key string) (int64, error) {
	if err := validKey(key); err != nil {
		return 0, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return 0, fmt.Errorf("stat %s: %w", key, s3Err(err))
	}
	return info.Size, nil
}

// RemoveAll deletes every object under the store's prefix and, with no
// prefix, the bucket itself. It is for tests and throwaway buckets.
func (s *S3Store) RemoveAll(ctx context.Context) error {
	objs := s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true})
	for e := range s.client.RemoveObjects(ctx, s.bucket, objs, minio.RemoveObjectsOptions{}) {
		if e.Err != nil {
			return fmt.Errorf("empty bucket %s: %w", s.bucket, e.Err)
		}
	}
	if s.prefix != "" {
		return nil
	}
	if err := s.client.RemoveBucket(ctx, s.bucket); err != nil {
		return fmt.Errorf("remove bucket %s: %w", s.bucket, err)
	}
	return nil
}

// s3Err makes a missing object or bucket wrap ErrNotExist, as the disk
// store's errors do.
func s3Err(err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey, minio.NoSuchBucket:
		return fmt.Errorf("%w (%w)", ErrNotExist, err)
	}
	return err
}
