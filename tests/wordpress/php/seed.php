<?php
/**
 * Harness step 2: seeds the content the reference site seeds from resources/demo/: users, terms,
 * posts (with their categories, tags, status and dates) and inquiries with their triage meta and
 * notes. Inquiries are written directly (not through the form route) so that the form's rate
 * limit does not apply.
 *
 * Input: port, users, terms, posts, inquiries (the demo files' contents), output.
 */

require __DIR__ . '/bootstrap.php';
require '/usr/share/wordpress/wp-load.php';

if ( ! function_exists( 'clinicdesk_create_inquiry' ) ) {
	clinicdesk_harness_fail( 'the ClinicDesk plugin is not loaded' );
}
// The plugin was activated (activate.php), which installed its roles and tables.
if ( (int) get_option( 'clinicdesk_schema_version', 0 ) < 1 ) {
	clinicdesk_harness_fail( 'the ClinicDesk plugin was not activated' );
}

// Seed content goes in verbatim, as the reference site stores it (no kses for the CLI "user").
kses_remove_filters();

$clinicdesk_now = time();

/**
 * Splits "First Last" for the user's profile.
 *
 * @param string $name A display name.
 * @return array{0: string, 1: string}
 */
function clinicdesk_seed_split_name( string $name ): array {
	$parts = explode( ' ', trim( $name ), 2 );
	return array( $parts[0], $parts[1] ?? '' );
}

/* Users. */
$clinicdesk_user_ids = array();
foreach ( $clinicdesk_input['users'] as $clinicdesk_u ) {
	list( $clinicdesk_first, $clinicdesk_last ) = clinicdesk_seed_split_name( (string) $clinicdesk_u['name'] );
	$clinicdesk_existing = get_user_by( 'login', (string) $clinicdesk_u['username'] );
	$clinicdesk_fields   = array(
		'user_login'   => (string) $clinicdesk_u['username'],
		'user_email'   => (string) $clinicdesk_u['email'],
		'display_name' => (string) $clinicdesk_u['name'],
		'nickname'     => (string) $clinicdesk_u['name'],
		'first_name'   => $clinicdesk_first,
		'last_name'    => $clinicdesk_last,
		'role'         => (string) $clinicdesk_u['role'],
	);
	if ( $clinicdesk_existing ) {
		$clinicdesk_fields['ID'] = $clinicdesk_existing->ID;
		$clinicdesk_id           = wp_update_user( $clinicdesk_fields );
	} else {
		$clinicdesk_fields['user_pass'] = wp_generate_password( 32, true, true );
		$clinicdesk_id                  = wp_insert_user( $clinicdesk_fields );
	}
	if ( is_wp_error( $clinicdesk_id ) ) {
		clinicdesk_harness_fail( 'user ' . $clinicdesk_u['username'] . ': ' . $clinicdesk_id->get_error_message() );
	}
	$clinicdesk_user_ids[ (string) $clinicdesk_u['username'] ] = (int) $clinicdesk_id;
}

/**
 * A seeded user's id by login name.
 *
 * @param mixed $username The login name (or null/empty for nobody).
 */
function clinicdesk_seed_user_id( $username ): int {
	global $clinicdesk_user_ids;
	if ( null === $username || '' === $username ) {
		return 0;
	}
	if ( ! isset( $clinicdesk_user_ids[ $username ] ) ) {
		clinicdesk_harness_fail( 'unknown user in the demo content: ' . $username );
	}
	return $clinicdesk_user_ids[ $username ];
}

/* Terms. */
$clinicdesk_term_ids = array(
	'category' => array(),
	'post_tag' => array(),
);
foreach ( array( 'categories' => 'category', 'tags' => 'post_tag' ) as $clinicdesk_key => $clinicdesk_taxonomy ) {
	foreach ( $clinicdesk_input['terms'][ $clinicdesk_key ] ?? array() as $clinicdesk_t ) {
		$clinicdesk_term = wp_insert_term(
			(string) $clinicdesk_t['name'],
			$clinicdesk_taxonomy,
			array(
				'slug'        => (string) $clinicdesk_t['slug'],
				'description' => (string) ( $clinicdesk_t['description'] ?? '' ),
			)
		);
		if ( is_wp_error( $clinicdesk_term ) ) {
			clinicdesk_harness_fail( 'term ' . $clinicdesk_t['slug'] . ': ' . $clinicdesk_term->get_error_message() );
		}
		$clinicdesk_term_ids[ $clinicdesk_taxonomy ][ (string) $clinicdesk_t['slug'] ] = (int) $clinicdesk_term['term_id'];
	}
}

/**
 * Term ids from slugs.
 *
 * @param string   $taxonomy The taxonomy.
 * @param string[] $slugs    The slugs.
 * @return int[]
 */
function clinicdesk_seed_terms( string $taxonomy, array $slugs ): array {
	global $clinicdesk_term_ids;
	$ids = array();
	foreach ( $slugs as $slug ) {
		if ( ! isset( $clinicdesk_term_ids[ $taxonomy ][ $slug ] ) ) {
			clinicdesk_harness_fail( 'unknown ' . $taxonomy . ' in the demo content: ' . $slug );
		}
		$ids[] = $clinicdesk_term_ids[ $taxonomy ][ $slug ];
	}
	return $ids;
}

/**
 * "YYYY-MM-DDTHH:MM:SS" (UTC) as MySQL's "YYYY-MM-DD HH:MM:SS".
 *
 * @param string $value The REST-style date.
 */
function clinicdesk_seed_mysql_date( string $value ): string {
	return str_replace( 'T', ' ', substr( $value, 0, 19 ) );
}

/**
 * Sets when a seeded record was last modified.
 *
 * @param int $post_id   The post.
 * @param int $timestamp Unix time.
 */
function clinicdesk_seed_set_modified( int $post_id, int $timestamp ): void {
	global $wpdb;
	$gmt = gmdate( 'Y-m-d H:i:s', $timestamp );
	$wpdb->update(
		$wpdb->posts,
		array(
			'post_modified_gmt' => $gmt,
			'post_modified'     => get_date_from_gmt( $gmt ),
		),
		array( 'ID' => $post_id )
	);
	clean_post_cache( $post_id );
}

/* Posts. */
$clinicdesk_posts = 0;
foreach ( $clinicdesk_input['posts'] as $clinicdesk_p ) {
	$clinicdesk_args = array(
		'post_type'     => 'post',
		'post_title'    => (string) $clinicdesk_p['title'],
		'post_content'  => (string) ( $clinicdesk_p['content'] ?? '' ),
		'post_excerpt'  => (string) ( $clinicdesk_p['excerpt'] ?? '' ),
		'post_status'   => (string) $clinicdesk_p['status'],
		'post_author'   => clinicdesk_seed_user_id( $clinicdesk_p['author'] ),
		'post_name'     => (string) ( $clinicdesk_p['slug'] ?? '' ),
		'post_category' => clinicdesk_seed_terms( 'category', $clinicdesk_p['categories'] ?? array() ),
	);
	if ( ! empty( $clinicdesk_p['date_gmt'] ) ) {
		$clinicdesk_gmt                   = clinicdesk_seed_mysql_date( (string) $clinicdesk_p['date_gmt'] );
		$clinicdesk_args['post_date_gmt'] = $clinicdesk_gmt;
		$clinicdesk_args['post_date']     = get_date_from_gmt( $clinicdesk_gmt );
	}
	$clinicdesk_id = wp_insert_post( wp_slash( $clinicdesk_args ), true );
	if ( is_wp_error( $clinicdesk_id ) ) {
		clinicdesk_harness_fail( 'post ' . $clinicdesk_p['title'] . ': ' . $clinicdesk_id->get_error_message() );
	}
	wp_set_post_terms( $clinicdesk_id, clinicdesk_seed_terms( 'post_tag', $clinicdesk_p['tags'] ?? array() ), 'post_tag' );
	// Like the reference site: last modified when published, or now if that is still to come.
	// (wp_insert_post() would leave a post created with a date "modified" at that date.)
	$clinicdesk_modified = empty( $clinicdesk_p['date_gmt'] )
		? $clinicdesk_now
		: min( $clinicdesk_now, (int) strtotime( clinicdesk_seed_mysql_date( (string) $clinicdesk_p['date_gmt'] ) . ' UTC' ) );
	clinicdesk_seed_set_modified( (int) $clinicdesk_id, $clinicdesk_modified );
	++$clinicdesk_posts;
}

/* Inquiries, then every note in time order (ids are given out in order on a real site too). */
$clinicdesk_notes = array();
foreach ( $clinicdesk_input['inquiries'] as $clinicdesk_q ) {
	$clinicdesk_received = $clinicdesk_now - 60 * (int) $clinicdesk_q['received_minutes_ago'];
	$clinicdesk_gmt      = gmdate( 'Y-m-d H:i:s', $clinicdesk_received );
	$clinicdesk_meta     = array(
		'first_name'        => (string) $clinicdesk_q['first_name'],
		'last_name'         => (string) $clinicdesk_q['last_name'],
		'email'             => (string) $clinicdesk_q['email'],
		'phone'             => (string) $clinicdesk_q['phone'],
		'preferred_contact' => (string) $clinicdesk_q['preferred_contact'],
		'state'             => (string) $clinicdesk_q['state'],
		'insurance'         => (string) $clinicdesk_q['insurance'],
		'reason'            => (string) $clinicdesk_q['reason'],
		'message'           => (string) $clinicdesk_q['message'],
		'consent'           => (bool) $clinicdesk_q['consent'],
		'received_gmt'      => clinicdesk_gmt( $clinicdesk_received ),
		'triage_status'     => (string) $clinicdesk_q['triage_status'],
		'assignee'          => clinicdesk_seed_user_id( $clinicdesk_q['assignee'] ),
		'urgent'            => (bool) $clinicdesk_q['urgent'],
		'unread'            => (bool) $clinicdesk_q['unread'],
	);
	$clinicdesk_id = clinicdesk_create_inquiry(
		$clinicdesk_meta['first_name'],
		$clinicdesk_meta['last_name'],
		$clinicdesk_meta,
		array(
			'post_date_gmt' => $clinicdesk_gmt,
			'post_date'     => get_date_from_gmt( $clinicdesk_gmt ),
		)
	);
	if ( is_wp_error( $clinicdesk_id ) ) {
		clinicdesk_harness_fail( 'inquiry: ' . $clinicdesk_id->get_error_message() );
	}
	$clinicdesk_modified = $clinicdesk_received;
	foreach ( $clinicdesk_q['notes'] ?? array() as $clinicdesk_n ) {
		$clinicdesk_modified = max( $clinicdesk_modified, $clinicdesk_now - 60 * (int) $clinicdesk_n['minutes_ago'] );
		$clinicdesk_content = (string) $clinicdesk_n['content'];
		if ( 'assign' === $clinicdesk_n['kind'] && ! ctype_digit( $clinicdesk_content ) ) {
			// The demo content names the assignee; the API's assign notes carry the user id.
			$clinicdesk_content = (string) clinicdesk_seed_user_id( $clinicdesk_content );
		}
		$clinicdesk_notes[] = array(
			'inquiry_id' => (int) $clinicdesk_id,
			'author_id'  => clinicdesk_seed_user_id( $clinicdesk_n['author'] ),
			'date_gmt'   => gmdate( 'Y-m-d H:i:s', $clinicdesk_now - 60 * (int) $clinicdesk_n['minutes_ago'] ),
			'kind'       => (string) $clinicdesk_n['kind'],
			'content'    => $clinicdesk_content,
		);
	}
	// Like the reference site: last modified by its latest note.
	clinicdesk_seed_set_modified( (int) $clinicdesk_id, $clinicdesk_modified );
}
usort(
	$clinicdesk_notes,
	static function ( array $a, array $b ): int {
		return array( $a['date_gmt'], $a['inquiry_id'] ) <=> array( $b['date_gmt'], $b['inquiry_id'] );
	}
);
foreach ( $clinicdesk_notes as $clinicdesk_n ) {
	if ( false === $wpdb->insert( clinicdesk_notes_table(), $clinicdesk_n, array( '%d', '%d', '%s', '%s', '%s' ) ) ) {
		clinicdesk_harness_fail( 'note could not be saved' );
	}
}

clinicdesk_harness_output(
	array(
		'users'     => count( $clinicdesk_user_ids ),
		'posts'     => $clinicdesk_posts,
		'inquiries' => count( $clinicdesk_input['inquiries'] ),
		'notes'     => count( $clinicdesk_notes ),
	)
);
