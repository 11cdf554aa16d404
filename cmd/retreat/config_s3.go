package main

import (
	"flag"

	"retreat/models/media"
)

// registerS3 adds the object storage flags (RETREAT_S3_ENDPOINT and so
// on). Without an endpoint, photos stay on local disk in the data folder.
func registerS3(fs *flag.FlagSet, c *media.S3Config) {
	fs.StringVar(&c.Endpoint, "s3-endpoint", "", "S3-compatible object storage for photos, e.g. https://s3.eu-west-1.amazonaws.com or http://minio:9000 (default: photos on local disk)")
	fs.StringVar(&c.Bucket, "s3-bucket", "", "bucket for photos (created, private, if missing)")
	fs.StringVar(&c.AccessKey, "s3-access-key", "", "S3 access key")
	fs.StringVar(&c.SecretKey, "s3-secret-key", "", "S3 secret key")
	fs.StringVar(&c.Region, "s3-region", "", "bucket region (default: asked from the server)")
	fs.BoolVar(&c.PathStyle, "s3-path-style", false, "address the bucket in the path (http://host/bucket/key), as most self-hosted servers need (default: virtual-hosted for AWS, path-style for IP addresses)")
	fs.StringVar(&c.Prefix, "s3-prefix", "", `put every key under this prefix ("retreat/"), to share a bucket`)
}
