<?php
/**
 * Activation and upgrades: the tables, roles, capabilities and default settings.
 *
 * The installed schema version is kept in the option `clinicdesk_schema_version`. On activation,
 * and on the first request after the plugin's files were replaced by a version with a higher
 * CLINICDESK_SCHEMA_VERSION, the steps between the two run once (guarded by a lock so that two
 * concurrent first requests do not both run them); every other request only compares two numbers.
 * Each run is recorded in the option `clinicdesk_schema_history`.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/** The notes table's name on the current site. */
function clinicdesk_notes_table(): string {
	global $wpdb;
	return $wpdb->prefix . 'clinicdesk_notes';
}

/** The rate-limit table's name on the current site. */
function clinicdesk_rate_table(): string {
	global $wpdb;
	return $wpdb->prefix . 'clinicdesk_rate';
}

/**
 * Creates or upgrades the plugin's tables with dbDelta (its formatting rules are strict: two spaces
 * after PRIMARY KEY, one field per line).
 */
function clinicdesk_install_tables(): void {
	global $wpdb;
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$notes   = clinicdesk_notes_table();
	$rate    = clinicdesk_rate_table();
	$collate = $wpdb->get_charset_collate();
	dbDelta(
		"CREATE TABLE {$notes} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  inquiry_id bigint(20) unsigned NOT NULL,
  author_id bigint(20) unsigned NOT NULL DEFAULT 0,
  date_gmt datetime NOT NULL,
  kind varchar(20) NOT NULL,
  content longtext NOT NULL,
  client_id varchar(64) DEFAULT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY client_id (client_id),
  KEY inquiry_id (inquiry_id)
) {$collate};
CREATE TABLE {$rate} (
  bucket char(32) NOT NULL,
  started bigint(20) unsigned NOT NULL,
  hits int(10) unsigned NOT NULL,
  PRIMARY KEY  (bucket),
  KEY started (started)
) {$collate};"
	);
}

/**
 * The installed schema version (0: never installed, or uninstalled).
 */
function clinicdesk_installed_schema(): int {
	return (int) get_option( 'clinicdesk_schema_version', 0 );
}

/**
 * Runs the steps from the installed schema version to the current one. Each step only adds what
 * its version introduced, so an upgrade never gives back a capability an administrator took away.
 *
 * @param int $from The installed schema version.
 */
function clinicdesk_migrate( int $from ): void {
	clinicdesk_install_tables();
	if ( $from < 1 ) {
		// A new install: the role, who handles inquiries, the default settings.
		clinicdesk_add_intake_role();
		clinicdesk_grant_administrators();
		clinicdesk_apply_editor_caps();
		add_option( 'clinicdesk_consultation_rate', CLINICDESK_DEFAULT_RATE );
		add_option( 'clinicdesk_trusted_proxies', '' );
		add_option( 'clinicdesk_editors_handle_inquiries', true );
		add_option( 'clinicdesk_delete_data_on_uninstall', false );
	}
	if ( $from < 2 ) {
		// 1.0 counted submissions in transients (not atomic); the rate table replaces them.
		global $wpdb;
		$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_clinicdesk\\_rate\\_%' OR option_name LIKE '\\_transient\\_timeout\\_clinicdesk\\_rate\\_%'" );
		// 1.0 had no settings but the rate. Whether editors handle inquiries is read from the
		// editor role as it is, so that the upgrade changes no capability.
		$editor = get_role( 'editor' );
		add_option( 'clinicdesk_trusted_proxies', '' );
		add_option( 'clinicdesk_editors_handle_inquiries', null !== $editor && $editor->has_cap( CLINICDESK_CAP_MANAGE ) );
		add_option( 'clinicdesk_delete_data_on_uninstall', false );
		clinicdesk_add_intake_role();
	}
	$history   = get_option( 'clinicdesk_schema_history', array() );
	$history   = is_array( $history ) ? $history : array();
	$history[] = array(
		'from' => $from,
		'to'   => CLINICDESK_SCHEMA_VERSION,
		'gmt'  => gmdate( 'Y-m-d\TH:i:s' ),
	);
	update_option( 'clinicdesk_schema_history', $history, false );
	update_option( 'clinicdesk_schema_version', CLINICDESK_SCHEMA_VERSION );
}

/**
 * Migrates when the installed schema is older than this code's; otherwise does nothing.
 * At most one request migrates at a time (a lock row in the options table: add_option() is one
 * INSERT on a unique key, so only one caller gets it).
 */
function clinicdesk_maybe_upgrade(): void {
	if ( wp_installing() ) {
		return;
	}
	$from = clinicdesk_installed_schema();
	if ( $from >= CLINICDESK_SCHEMA_VERSION ) {
		return;
	}
	$lock = get_option( 'clinicdesk_upgrade_lock' );
	if ( false !== $lock && (int) $lock < time() - 300 ) {
		delete_option( 'clinicdesk_upgrade_lock' ); // A migration that died five minutes ago.
	}
	if ( ! add_option( 'clinicdesk_upgrade_lock', (string) time(), '', false ) ) {
		return;
	}
	try {
		// Read again under the lock: another request may have finished meanwhile.
		wp_cache_delete( 'clinicdesk_schema_version', 'options' );
		wp_cache_delete( 'alloptions', 'options' );
		$from = clinicdesk_installed_schema();
		if ( $from < CLINICDESK_SCHEMA_VERSION ) {
			clinicdesk_migrate( $from );
		}
	} finally {
		delete_option( 'clinicdesk_upgrade_lock' );
	}
}
add_action( 'init', 'clinicdesk_maybe_upgrade', 1 );

/**
 * Activation: install or upgrade at once rather than on the next request.
 */
function clinicdesk_activate(): void {
	clinicdesk_maybe_upgrade();
}
