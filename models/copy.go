package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Moving up: CopyTo copies every row of an embedded (SQLite) database into
// an empty PostgreSQL one, keeping ids, so links, sessions and photo keys
// stay valid. `retreat migrate-storage` uses it.

// TableCount is how many rows one table held and how many were copied.
type TableCount struct {
	Table          string
	Source, Target int64
}

// CopyReport lists the tables copied, in the order they were.
type CopyReport struct {
	Tables []TableCount
}

// Rows is the total number of rows copied.
func (r CopyReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Target
	}
	return n
}

// notCopied are tables that belong to one installation's runtime, not to
// its data: the migrations the target records itself, leases held by
// processes of the old install, and unfinished uploads in its spool.
var notCopied = map[string]bool{"migrations": true, "leases": true, "pending_uploads": true}

// copyBatch is how many rows go in one INSERT (PostgreSQL takes at most
// 65535 parameters in a statement).
const copyBatch = 500

// CopyTo copies every table of s (SQLite) into dst (PostgreSQL), which
// must hold no data yet, in one transaction: if anything fails, dst stays
// empty. Tables are copied parents first (from dst's foreign keys), and
// each id sequence then continues after the highest id copied. Both
// stores must be at the same migration (Open migrates both). Tables that
// other code creates at start (the session store's) must already exist
// in dst.
func (s *Store) CopyTo(ctx context.Context, dst *Store) (CopyReport, error) {
	var rep CopyReport
	if s.IsPostgres() || !dst.IsPostgres() {
		return rep, errors.New("copy database: from SQLite to PostgreSQL only")
	}
	tables, err := dst.copyOrder(ctx)
	if err != nil {
		return rep, err
	}
	srcTables, err := s.db.WithContext(ctx).Migrator().GetTables()
	if err != nil {
		return rep, fmt.Errorf("list source tables: %w", err)
	}
	for _, t := range srcTables {
		if !strings.HasPrefix(t, "sqlite_") && !notCopied[t] && !slices.Contains(tables, t) {
			return rep, fmt.Errorf("copy database: table %q has no counterpart in the target (run the same version on both)", t)
		}
	}
	err = dst.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, table := range tables {
			if !slices.Contains(srcTables, table) {
				continue
			}
			var existing int64
			if err := tx.Table(table).Count(&existing).Error; err != nil {
				return fmt.Errorf("count %s in the target: %w", table, err)
			}
			if existing > 0 {
				return fmt.Errorf("copy database: the target already holds %d rows in %s: copy into an empty database", existing, table)
			}
			n, err := s.copyTable(ctx, tx, table)
			if err != nil {
				return err
			}
			rep.Tables = append(rep.Tables, TableCount{Table: table, Target: n})
		}
		return resetSequences(tx, tables)
	})
	if err != nil {
		return CopyReport{}, err
	}
	for i, t := range rep.Tables {
		if err := s.db.WithContext(ctx).Table(t.Table).Count(&rep.Tables[i].Source).Error; err != nil {
			return rep, fmt.Errorf("count %s: %w", t.Table, err)
		}
	}
	return rep, nil
}

// copyOrder lists the target's tables (but the runtime ones) so that every
// table comes after the tables its foreign keys point at.
func (s *Store) copyOrder(ctx context.Context) ([]string, error) {
	var tables []string
	err := s.db.WithContext(ctx).Raw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`).Scan(&tables).Error
	if err != nil {
		return nil, fmt.Errorf("list target tables: %w", err)
	}
	var edges []struct{ Child, Parent string }
	err = s.db.WithContext(ctx).Raw(`SELECT c.relname AS child, p.relname AS parent
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class p ON p.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`).Scan(&edges).Error
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for _, e := range edges {
		if e.Child != e.Parent {
			parents[e.Child] = append(parents[e.Child], e.Parent)
		}
	}
	var order []string
	state := map[string]int{} // 1: visiting, 2: done
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("copy database: foreign keys form a cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, p := range parents[t] {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[t] = 2
		if !notCopied[t] {
			order = append(order, t)
		}
		return nil
	}
	for _, t := range tables {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// copyTable streams one table's rows into tx in batches, converting each
// value to the target column's type (SQLite keeps booleans as integers
// and may hand back times as text).
func (s *Store) copyTable(ctx context.Context, tx *gorm.DB, table string) (int64, error) {
	var cols []struct{ ColumnName, DataType string }
	if err := tx.Raw(`SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, table).Scan(&cols).Error; err != nil {
		return 0, fmt.Errorf("columns of %s: %w", table, err)
	}
	types := make(map[string]string, len(cols))
	for _, c := range cols {
		types[c.ColumnName] = c.DataType
	}
	q := s.db.WithContext(ctx).Table(table)
	if _, ok := types["id"]; ok {
		q = q.Order("id") // parents before children in self-references
	}
	rows, err := q.Rows()
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	for _, n := range names {
		if _, ok := types[n]; !ok {
			return 0, fmt.Errorf("copy database: column %s.%s has no counterpart in the target", table, n)
		}
	}
	var copied int64
	batch := make([]map[string]any, 0, copyBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := tx.Table(table).Create(&batch).Error; err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
		copied += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return copied, fmt.Errorf("read %s: %w", table, err)
		}
		row := make(map[string]any, len(names))
		for i, n := range names {
			v, err := convertValue(vals[i], types[n])
			if err != nil {
				return copied, fmt.Errorf("copy %s.%s: %w", table, n, err)
			}
			row[n] = v
		}
		batch = append(batch, row)
		if len(batch) == copyBatch {
			if err := flush(); err != nil {
				return copied, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return copied, fmt.Errorf("read %s: %w", table, err)
	}
	return copied, flush()
}

// sqliteTimeLayouts are the ways a time may come back from SQLite as text.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// convertValue turns a value read from SQLite into what a PostgreSQL
// column of dataType (information_schema's name) takes.
func convertValue(v any, dataType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && dataType != "bytea" {
		v = string(b)
	}
	switch dataType {
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			return strconv.ParseBool(x)
		}
	case "timestamp with time zone", "timestamp without time zone", "date":
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			for _, layout := range sqliteTimeLayouts {
				if t, err := time.Parse(layout, x); err == nil {
					return t.UTC(), nil
				}
			}
			return nil, fmt.Errorf("unreadable time %q", x)
		}
	case "smallint", "integer", "bigint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			return int64(x), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case "bytea":
		if x, ok := v.(string); ok {
			return []byte(x), nil
		}
	}
	return v, nil
}

// resetSequences moves every id sequence past the ids copied, so the next
// row inserted gets a new one.
func resetSequences(tx *gorm.DB, tables []string) error {
	for _, table := range tables {
		var cols []string
		err := tx.Raw(`SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND column_default LIKE 'nextval(%'`, table).Scan(&cols).Error
		if err != nil {
			return fmt.Errorf("sequences of %s: %w", table, err)
		}
		for _, col := range cols {
			var seq sql.NullString
			if err := tx.Raw("SELECT pg_get_serial_sequence(?, ?)", table, col).Scan(&seq).Error; err != nil {
				return fmt.Errorf("sequence of %s.%s: %w", table, col, err)
			}
			if !seq.Valid {
				continue
			}
			q := fmt.Sprintf("SELECT setval(?, COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)", quoteIdent(col), quoteIdent(table))
			if err := tx.Exec(q, seq.String).Error; err != nil {
				return fmt.Errorf("reset sequence of %s.%s: %w", table, col, err)
			}
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
