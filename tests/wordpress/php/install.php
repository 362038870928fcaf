<?php
/**
 * Harness step 1: installs WordPress (no wp-cli in Debian) and sets the site up like the reference
 * site: pretty permalinks, America/Chicago, the consultation rate and trusted proxy, none of the
 * default content.
 *
 * Input: port, url, title, admin {username, email, name}, rate, trusted_proxies, output.
 */

require __DIR__ . '/bootstrap.php';

define( 'WP_INSTALLING', true );
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if ( is_blog_installed() ) {
	clinicdesk_harness_fail( 'WordPress is already installed in this database' );
}

$clinicdesk_admin = $clinicdesk_input['admin'];
$clinicdesk_res   = wp_install(
	(string) $clinicdesk_input['title'],
	(string) $clinicdesk_admin['username'],
	(string) $clinicdesk_admin['email'],
	false,
	'',
	wp_generate_password( 32, true, true )
);

$clinicdesk_url = (string) $clinicdesk_input['url'];
update_option( 'siteurl', $clinicdesk_url );
update_option( 'home', $clinicdesk_url );
update_option( 'blogdescription', (string) ( $clinicdesk_input['description'] ?? '' ) );
update_option( 'timezone_string', 'America/Chicago' );
update_option( 'gmt_offset', '' );
update_option( 'clinicdesk_consultation_rate', (string) $clinicdesk_input['rate'] );
update_option( 'clinicdesk_trusted_proxies', (string) $clinicdesk_input['trusted_proxies'] );

global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
$wp_rewrite->flush_rules( false );

// The reference site starts with only the demo content: no "Hello world!", sample page, privacy
// policy draft or sample comment.
foreach ( get_posts( array( 'post_type' => array( 'post', 'page' ), 'post_status' => 'any', 'numberposts' => -1 ) ) as $clinicdesk_post ) {
	wp_delete_post( $clinicdesk_post->ID, true );
}
foreach ( get_comments( array( 'status' => 'all' ) ) as $clinicdesk_comment ) {
	wp_delete_comment( $clinicdesk_comment->comment_ID, true );
}
update_option( 'wp_page_for_privacy_policy', 0 );

$clinicdesk_user = get_user_by( 'id', (int) $clinicdesk_res['user_id'] );
wp_update_user(
	array(
		'ID'           => $clinicdesk_user->ID,
		'display_name' => (string) $clinicdesk_admin['name'],
		'nickname'     => (string) $clinicdesk_admin['name'],
	)
);

clinicdesk_harness_output( array( 'admin_id' => (int) $clinicdesk_user->ID ) );
