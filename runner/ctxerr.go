package runner

import (
	"context"
	"errors"
	"fmt"
)

// ctxErr is why ctx ended (its cause), keeping context.Canceled visible to
// Classify when the caller canceled with a cause of its own.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	cause := context.Cause(ctx)
	if cause == nil {
		return err
	}
	if errors.Is(err, context.Canceled) && !errors.Is(cause, context.Canceled) {
		return fmt.Errorf("%w: %w", context.Canceled, cause)
	}
	return cause
}
