<?php
/**
 * Runs when an administrator deletes the plugin (Plugins > Delete), through WordPress's
 * uninstall_plugin(). The plugin itself is not loaded here, so every name is spelled out.
 *
 * Always removed: the plugin's options and transients, its rate-limit table, the intake role
 * (users who had it keep their account, without that role), the inquiry capabilities of every
 * role, and the `clinicdesk_client_id` markers on posts and media.
 *
 * Removed only when the administrator turned on "Delete all inquiry data when the plugin is
 * deleted" (Settings > ClinicDesk; off by default, since a clinic may have to keep its records):
 * every inquiry with its meta, and the notes table.
 *
 * @package ClinicDesk
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

/**
 * Uninstalls from the current site.
 */
function clinicdesk_uninstall_site(): void {
	global $wpdb;

	$delete_data = rest_sanitize_boolean( get_option( 'clinicdesk_delete_data_on_uninstall', false ) );
	// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- uninstall: the tables are ours or core's, named by $wpdb.
	if ( $delete_data ) {
		$ids = array_map( 'intval', (array) $wpdb->get_col( $wpdb->prepare( "SELECT ID FROM {$wpdb->posts} WHERE post_type = %s", 'clinicdesk_inquiry' ) ) );
		foreach ( array_chunk( $ids, 500 ) as $chunk ) {
			$in = implode( ',', $chunk );
			// Any autosave or revision an older version may have left, then the inquiries.
			$children = array_map( 'intval', (array) $wpdb->get_col( "SELECT ID FROM {$wpdb->posts} WHERE post_parent IN ({$in}) AND post_type = 'revision'" ) );
			$all      = implode( ',', array_merge( $chunk, $children ) );
			$wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE post_id IN ({$all})" );
			$wpdb->query( "DELETE FROM {$wpdb->comments} WHERE comment_post_ID IN ({$all})" );
			$wpdb->query( "DELETE FROM {$wpdb->term_relationships} WHERE object_id IN ({$all})" );
			$wpdb->query( "DELETE FROM {$wpdb->posts} WHERE ID IN ({$all})" );
			foreach ( $chunk as $id ) {
				clean_post_cache( $id );
			}
		}
		$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}clinicdesk_notes" );
	}
	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}clinicdesk_rate" );
	$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->postmeta} WHERE meta_key = %s", 'clinicdesk_client_id' ) );
	$wpdb->query(
		"DELETE FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_clinicdesk\\_%'
		OR option_name LIKE '\\_transient\\_timeout\\_clinicdesk\\_%'"
	);
	// phpcs:enable

	foreach ( array( 'clinicdesk_schema_version', 'clinicdesk_schema_history', 'clinicdesk_upgrade_lock', 'clinicdesk_consultation_rate', 'clinicdesk_trusted_proxies', 'clinicdesk_editors_handle_inquiries', 'clinicdesk_delete_data_on_uninstall', 'clinicdesk_states', 'clinicdesk_insurers', 'clinicdesk_reasons', 'clinicdesk_notify_recipients', 'clinicdesk_form_min_seconds', 'clinicdesk_crisis_text', 'clinicdesk_crisis_text_es', 'clinicdesk_consent_text', 'clinicdesk_consent_text_es', 'clinicdesk_confirmation_text', 'clinicdesk_confirmation_text_es' ) as $option ) {
		delete_option( $option );
	}

	foreach ( get_users(
		array(
			'role'   => 'clinicdesk_intake',
			'fields' => 'all',
		)
	) as $user ) {
		$user->remove_role( 'clinicdesk_intake' );
	}
	remove_role( 'clinicdesk_intake' );
	foreach ( wp_roles()->role_objects as $role ) {
		foreach ( array( 'clinicdesk_manage_inquiries', 'clinicdesk_delete_inquiries' ) as $cap ) {
			if ( $role->has_cap( $cap ) ) {
				$role->remove_cap( $cap );
			}
		}
	}
}

if ( is_multisite() ) {
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $clinicdesk_site_id ) {
		switch_to_blog( (int) $clinicdesk_site_id );
		clinicdesk_uninstall_site();
		restore_current_blog();
	}
} else {
	clinicdesk_uninstall_site();
}
