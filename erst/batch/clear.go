package batch

import "errors"

// Clearer is what [Clear] needs of the device (an [erst.Device]).
type Clearer interface{ Clear(id uint64) error }

// Clear clears the records with the given ids in order, calling done
// after each one cleared. A record that cannot be cleared does not stop
// the others: the error joins those of the records not cleared.
func Clear(c Clearer, ids []uint64, done func(id uint64)) error {
	var errs []error
	for _, id := range ids {
		if err := c.Clear(id); err != nil {
			errs = append(errs, err)
			continue
		}
		done(id)
	}
	return errors.Join(errs...)
}
