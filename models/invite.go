package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Invite asks someone, by email, to help run an event as an organizer or a
// moderator. Its link (/invite/<token>) works once, for InviteLifetime.
type Invite struct {
	ID      uint   `gorm:"primaryKey"`
	EventID uint   `gorm:"not null;index"`
	Email   string `gorm:"not null;size:254"`
	Role    Role   `gorm:"not null;size:20"`
	Token   string `gorm:"uniqueIndex;not null;size:64"`
	// InvitedByID is the organizer who sent it (for "Ana invited you").
	InvitedByID  uint `gorm:"not null"`
	ExpiresAt    time.Time
	AcceptedAt   *time.Time
	AcceptedByID *uint
	CreatedAt    time.Time

	Event     Event     `gorm:"constraint:OnDelete:CASCADE"`
	InvitedBy Organizer `gorm:"constraint:OnDelete:CASCADE"`
}

// InviteLifetime is how long an invite link works.
const InviteLifetime = 7 * 24 * time.Hour

// Invite errors, for the 410 page a stale link gets.
var (
	ErrInviteExpired = errors.New("invite has expired")
	ErrInviteUsed    = errors.New("invite was already used")
)

// Path is the invite link's path; prefix it with the public address.
func (in *Invite) Path() string { return "/invite/" + in.Token }

// InviteInput is what an organizer types to invite someone.
type InviteInput struct {
	Email string
	Role  Role
}

// Validate normalises the input and reports what is wrong with it.
func (in *InviteInput) Validate() error {
	var v ValidationError
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email || len(in.Email) > 254 {
		v.Add("email", "Enter an email address like ana@example.com.")
	}
	if in.Role != RoleOrganizer && in.Role != RoleModerator {
		v.Add("role", "Choose organizer or moderator.")
	}
	return v.Err()
}

// CreateInvite makes an invite link for the event. Inviting the same email
// again replaces the earlier pending invite (its link stops working), and
// someone who already helps run the event is not invited twice. The mailer
// sends Path() prefixed with the public address.
func (s *Store) CreateInvite(ctx context.Context, ev *Event, invitedBy uint, in InviteInput) (*Invite, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	inv := &Invite{EventID: ev.ID, Email: in.Email, Role: in.Role, Token: newToken(), InvitedByID: invitedBy,
		ExpiresAt: s.now().UTC().Add(InviteLifetime)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		err := tx.Model(&EventOrganizer{}).
			Joins("JOIN organizers ON organizers.id = event_organizers.organizer_id").
			Where("event_organizers.event_id = ? AND organizers.email = ?", ev.ID, in.Email).
			Count(&n).Error
		if err != nil {
			return err
		}
		if n > 0 {
			return &ValidationError{Fields: map[string]string{"email": fmt.Sprintf("%s already helps run this event.", in.Email)}}
		}
		if err := tx.Where("event_id = ? AND email = ? AND accepted_at IS NULL", ev.ID, in.Email).Delete(&Invite{}).Error; err != nil {
			return err
		}
		return tx.Create(inv).Error
	})
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, fmt.Errorf("invite %s to event %d: %w", in.Email, ev.ID, err)
	}
	return inv, nil
}

// InviteDetail is an invite with what its page shows.
type InviteDetail struct {
	Invite
	EventName     string
	InvitedByName string
}

// InviteByToken loads the invite a link names, refusing one that was used
// (ErrInviteUsed) or has expired (ErrInviteExpired).
func (s *Store) InviteByToken(ctx context.Context, token string) (*InviteDetail, error) {
	if !ValidToken(token) {
		return nil, fmt.Errorf("load invite: %w", ErrNotFound)
	}
	var d InviteDetail
	err := s.db.WithContext(ctx).Model(&Invite{}).
		Select("invites.*, events.name AS event_name, organizers.name AS invited_by_name").
		Joins("JOIN events ON events.id = invites.event_id").
		Joins("JOIN organizers ON organizers.id = invites.invited_by_id").
		Where("invites.token = ?", token).
		Take(&d).Error
	if err != nil {
		return nil, notFound(err, "load invite")
	}
	if err := s.checkInvite(&d.Invite); err != nil {
		return &d, err
	}
	return &d, nil
}

func (s *Store) checkInvite(inv *Invite) error {
	switch {
	case inv.AcceptedAt != nil:
		return fmt.Errorf("invite %d: %w", inv.ID, ErrInviteUsed)
	case !s.now().Before(inv.ExpiresAt):
		return fmt.Errorf("invite %d: %w", inv.ID, ErrInviteExpired)
	}
	return nil
}

// acceptInvite adds the organizer to the invite's event inside tx and marks
// the invite used. Someone already on the event keeps the role they have.
func (s *Store) acceptInvite(tx *gorm.DB, token string, organizerID uint) (*Invite, error) {
	var inv Invite
	if err := tx.Where("token = ?", token).Take(&inv).Error; err != nil {
		return nil, err
	}
	if err := s.checkInvite(&inv); err != nil {
		return nil, err
	}
	var existing EventOrganizer
	err := tx.Where("event_id = ? AND organizer_id = ?", inv.EventID, organizerID).Take(&existing).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if err := tx.Create(&EventOrganizer{EventID: inv.EventID, OrganizerID: organizerID, Role: inv.Role}).Error; err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	now := s.now().UTC()
	inv.AcceptedAt, inv.AcceptedByID = &now, &organizerID
	res := tx.Model(&Invite{}).Where("id = ? AND accepted_at IS NULL", inv.ID).
		Updates(map[string]any{"accepted_at": now, "accepted_by_id": organizerID})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, ErrInviteUsed // someone else used it a moment ago
	}
	return &inv, nil
}

// AcceptInvite adds a signed-in organizer to the invite's event.
func (s *Store) AcceptInvite(ctx context.Context, token string, organizerID uint) (*Invite, error) {
	if !ValidToken(token) {
		return nil, fmt.Errorf("accept invite: %w", ErrNotFound)
	}
	var inv *Invite
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		inv, err = s.acceptInvite(tx, token, organizerID)
		return err
	})
	if err != nil {
		return nil, notFound(err, "accept invite")
	}
	return inv, nil
}

// AcceptInviteWithAccount creates an account for the invited email (in.Email
// is ignored) and adds it to the event, in one transaction.
func (s *Store) AcceptInviteWithAccount(ctx context.Context, token string, in NewOrganizer) (*Organizer, *Invite, error) {
	d, err := s.InviteByToken(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	in.Email = d.Email
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	hash, err := s.hasher.hash(ctx, in.Password)
	if err != nil {
		return nil, nil, err
	}
	o := &Organizer{Email: in.Email, Name: in.Name, PasswordHash: hash}
	var inv *Invite
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(o).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &ValidationError{Fields: map[string]string{"email": "There is already an account with this email. Sign in to accept."}}
			}
			return err
		}
		var err error
		inv, err = s.acceptInvite(tx, token, o.ID)
		return err
	})
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return nil, nil, ve
		}
		return nil, nil, notFound(err, "accept invite with a new account")
	}
	return o, inv, nil
}

// OrganizerByEmail loads the account with this email, if any.
func (s *Store) OrganizerByEmail(ctx context.Context, email string) (*Organizer, error) {
	var o Organizer
	if err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&o).Error; err != nil {
		return nil, notFound(err, "load organizer by email")
	}
	return &o, nil
}

// PendingInvites lists an event's invites not yet accepted, newest first
// (expired ones too, so the organizer sees why someone could not join).
func (s *Store) PendingInvites(ctx context.Context, eventID uint) ([]Invite, error) {
	var list []Invite
	err := s.db.WithContext(ctx).Where("event_id = ? AND accepted_at IS NULL", eventID).
		Order("created_at DESC, id DESC").Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list invites of event %d: %w", eventID, err)
	}
	return list, nil
}

// RevokeInvite withdraws a pending invite of the event; its link stops working.
func (s *Store) RevokeInvite(ctx context.Context, eventID, inviteID uint) error {
	res := s.db.WithContext(ctx).Where("id = ? AND event_id = ? AND accepted_at IS NULL", inviteID, eventID).Delete(&Invite{})
	if res.Error != nil {
		return fmt.Errorf("revoke invite %d: %w", inviteID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("revoke invite %d of event %d: %w", inviteID, eventID, ErrNotFound)
	}
	return nil
}

// CoOrganizer is someone who helps run an event, with their role.
type CoOrganizer struct {
	OrganizerID uint
	Name        string
	Email       string
	Role        Role
}

// EventOrganizers lists who runs an event: the owner first, then organizers,
// then moderators, each by name.
func (s *Store) EventOrganizers(ctx context.Context, eventID uint) ([]CoOrganizer, error) {
	var list []CoOrganizer
	err := s.db.WithContext(ctx).Model(&EventOrganizer{}).
		Select("event_organizers.organizer_id, organizers.name, organizers.email, event_organizers.role").
		Joins("JOIN organizers ON organizers.id = event_organizers.organizer_id").
		Where("event_organizers.event_id = ?", eventID).
		Order("CASE event_organizers.role WHEN 'owner' THEN 0 WHEN 'organizer' THEN 1 ELSE 2 END, organizers.name").
		Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list organizers of event %d: %w", eventID, err)
	}
	return list, nil
}

// ErrOwnerStays refuses removing an event's owner.
var ErrOwnerStays = fmt.Errorf("the owner cannot be removed: %w", ErrNotAllowed)

// RemoveEventOrganizer takes an organizer or moderator off an event. The
// owner stays.
func (s *Store) RemoveEventOrganizer(ctx context.Context, eventID, organizerID uint) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var eo EventOrganizer
		if err := tx.Where("event_id = ? AND organizer_id = ?", eventID, organizerID).Take(&eo).Error; err != nil {
			return err
		}
		if eo.Role == RoleOwner {
			return ErrOwnerStays
		}
		return tx.Where("event_id = ? AND organizer_id = ?", eventID, organizerID).Delete(&EventOrganizer{}).Error
	})
	if err != nil {
		return notFound(err, fmt.Sprintf("remove organizer %d from event %d", organizerID, eventID))
	}
	return nil
}
