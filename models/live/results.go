package live

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"retreat/models"
)

// GuessResults says, for each answer pa guessed on whose author the
// presenter has revealed, whether pa guessed right. Answers still without
// a name are left out: their result would tell who sent them.
//
// A phone learns its result as the name comes out from the slide it is
// sent then (the same for every phone); this is for a phone that loads the
// page afterwards.
func (s *Service) GuessResults(ctx context.Context, pa *models.Participant) (map[uint]bool, error) {
	_, raw, err := s.store.RevealNamed(ctx, pa.EventID)
	if err != nil {
		return nil, err
	}
	named, err := decodeSet(raw)
	if err != nil {
		return nil, fmt.Errorf("decode named slides of event %d: %w", pa.EventID, err)
	}
	var ids []uint
	for key := range named {
		if id, ok := submissionOfKey(key); ok {
			ids = append(ids, id)
		}
	}
	return s.store.GuessResults(ctx, pa.ID, ids)
}

// submissionOfKey is the answer an answer slide's key names.
func submissionOfKey(key string) (uint, bool) {
	rest, ok := strings.CutPrefix(key, "sub-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 32)
	return uint(n), err == nil && n > 0
}
