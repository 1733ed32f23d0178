package httpget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugin"
)

// RequestFailed is the reason callers give the errors of failed
// requests.
const RequestFailed bsterr.Reason = "request-failed"

// StatusError is an HTTP answer other than 200.
type StatusError struct {
	URL    string
	Status int
	Header http.Header
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP Error %d: %s", e.URL, e.Status, http.StatusText(e.Status))
}

// Client makes GET requests for a source.
type Client struct {
	Env *plugin.SourceEnv
	Gen int // BuildStream generation, for the User-Agent
	// Backoff is the pause before the n-th retry (n >= 1); nil means a
	// short linear backoff.
	Backoff func(n int) time.Duration
}

func (c *Client) http() *http.Client {
	if c.Env != nil && c.Env.HTTP != nil {
		return c.Env.HTTP
	}
	return http.DefaultClient
}

func (c *Client) retries() int {
	if c.Env == nil {
		return 0
	}
	return c.Env.Retries
}

// Get requests url with the extra headers and returns the response of
// the first attempt answered 200 (the caller closes its body). Any other
// final answer is a *StatusError carrying the answer's header (for
// callers that answer a 401's challenge); a failure to connect is
// retried, then returned as is.
func (c *Client) Get(ctx context.Context, url string, header http.Header) (*http.Response, error) {
	var last error
	for attempt := 0; attempt <= c.retries(); attempt++ {
		if attempt > 0 {
			if err := c.pause(ctx, attempt); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "*/*")
		req.Header.Set("User-Agent", fmt.Sprintf("BuildStream/%d", max(c.Gen, 1)))
		for k, vs := range header {
			req.Header[k] = vs
		}
		resp, err := c.http().Do(req)
		if err != nil {
			last = err
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if resp.StatusCode == http.StatusOK {
			return resp, nil
		}
		se := &StatusError{URL: url, Status: resp.StatusCode, Header: resp.Header}
		if !retryable(resp.StatusCode) {
			drain(resp)
			return nil, se
		}
		drain(resp)
		last = se
	}
	return nil, last
}

// Bytes is Get returning the whole body, refused past limit bytes.
func (c *Client) Bytes(ctx context.Context, url string, header http.Header, limit int64) ([]byte, *http.Response, error) {
	resp, err := c.Get(ctx, url, header)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("%s: answer larger than %d bytes", url, limit)
	}
	return data, resp, nil
}

func retryable(status int) bool {
	return status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
}

// Temporary reports whether err may go away on a later try.
func Temporary(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return retryable(se.Status)
	}
	return !errors.Is(err, context.Canceled)
}

// Status returns the HTTP status of err, 0 if it is not a *StatusError.
func Status(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

func (c *Client) pause(ctx context.Context, attempt int) error {
	d := time.Duration(attempt) * 500 * time.Millisecond
	if c.Backoff != nil {
		d = c.Backoff(attempt)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// Error returns a SOURCE error with reason RequestFailed for a failed
// request, temporary when a later try may succeed.
func Error(prov *bsterr.Provenance, err error, format string, args ...any) *bsterr.Error {
	e := bsterr.Source(RequestFailed, prov, "%s: %v", fmt.Sprintf(format, args...), err).Wrap(err)
	e.Temporary = Temporary(err)
	return e
}
