package io.azimuth.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Statements run on a unit of work's connection (prepared once per connection), for the store's own views. */
interface Sql {
    /** Runs an INSERT, UPDATE or DELETE; returns the rows changed. */
    int update(String sql, Object... args);

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... args);

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }
}
