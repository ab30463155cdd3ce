package discord

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// REST retries on 429.
const (
	maxRateLimitRetries = 5                // 429s in a row before giving up
	maxRetryAfter       = 60 * time.Second // a longer retry_after is not waited for
	minRetryAfter       = 50 * time.Millisecond
)

// rest calls f, a discordgo REST call given the request options, with the
// context and discordgo's own retry on 429 switched off; on 429 it waits the
// retry_after Discord asked for (discordgo's ratelimiter has already recorded
// the bucket's reset from the headers) and tries again, a few times, unless
// ctx ends first.
func (r *run) rest(ctx context.Context, f func(...discordgo.RequestOption) error) error {
	for attempt := 0; ; attempt++ {
		err := f(discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || rl.TooManyRequests == nil {
			return err
		}
		wait := max(rl.RetryAfter, minRetryAfter)
		if attempt >= maxRateLimitRetries || wait > maxRetryAfter {
			return err
		}
		r.a.log.Warn("discord: rate limited", "bucket", rl.Bucket, "retry_after_s", wait.Seconds(), "attempt", attempt+1)
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// isStatus reports whether err is a REST error with HTTP status code.
func isStatus(err error, code int) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == code
}

// tokenPath matches the secret part of interaction and webhook URLs.
var tokenPath = regexp.MustCompile(`(interactions|webhooks)/([0-9]+)/[^/\s?"']+`)

// redact returns err's text without the bot token and without interaction
// or webhook tokens, which sit in URL paths; safe to log.
func (r *run) redact(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		s = ue.Op + " " + ue.URL + ": " + ue.Err.Error()
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		s = "HTTP " + re.Response.Status
		if re.Message != nil {
			s += ": " + re.Message.Message
		}
	}
	s = tokenPath.ReplaceAllString(s, "$1/$2/[REDACTED]")
	for _, secret := range []string{r.a.token, url.PathEscape(r.a.token)} {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	return s
}

// statusOf is the HTTP status of a REST error, or 0.
func statusOf(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
