<?php
/**
 * The inquiry post type, its meta, and what keeps an inquiry private wherever WordPress saves or shows one.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/* -------------------------------------------------------------------------------------------------
 * The post type and its meta.
 * ------------------------------------------------------------------------------------------ */

/**
 * The inquiry meta fields: REST schema (type, limits, enums, default) and how each is sanitized.
 *
 * @return array<string, array{schema: array<string, mixed>, sanitize: callable}>
 */
function clinicdesk_inquiry_meta_fields(): array {
	$line = 'clinicdesk_sanitize_line';
	$bool = 'clinicdesk_sanitize_bool';
	return array(
		'first_name'           => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => 100, 'default' => '' ),
			'sanitize' => $line,
		),
		'last_name'            => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => 100, 'default' => '' ),
			'sanitize' => $line,
		),
		'email'                => array(
			// No 'format' => 'email' here: register_meta() refuses a default that fails the schema
			// (and '' is not an address); clinicdesk_validate_inquiry_meta() checks the address.
			'schema'   => array( 'type' => 'string', 'maxLength' => 254, 'default' => '' ),
			'sanitize' => 'clinicdesk_sanitize_email',
		),
		'phone'                => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => 40, 'default' => '' ),
			'sanitize' => $line,
		),
		'preferred_contact'    => array(
			'schema'   => array( 'type' => 'string', 'enum' => CLINICDESK_CONTACT_METHODS, 'default' => 'email' ),
			'sanitize' => $line,
		),
		'state'                => array(
			'schema'   => array( 'type' => 'string', 'enum' => array_merge( array( '' ), CLINICDESK_STATES ), 'default' => '' ),
			'sanitize' => $line,
		),
		'insurance'            => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => 100, 'default' => '' ),
			'sanitize' => $line,
		),
		'reason'               => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => 200, 'default' => '' ),
			'sanitize' => $line,
		),
		'message'              => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => 5000, 'default' => '' ),
			'sanitize' => 'clinicdesk_sanitize_text',
		),
		'consent'              => array(
			'schema'   => array( 'type' => 'boolean', 'default' => false ),
			'sanitize' => $bool,
		),
		'received_gmt'         => array(
			// No 'format' => 'date-time': register_meta() validates the default ('') too.
			// clinicdesk_validate_inquiry_meta() checks the date.
			'schema'   => array( 'type' => 'string', 'default' => '' ),
			'sanitize' => 'clinicdesk_sanitize_gmt',
		),
		'triage_status'        => array(
			'schema'   => array( 'type' => 'string', 'enum' => CLINICDESK_TRIAGE_STATUSES, 'default' => 'new' ),
			'sanitize' => $line,
		),
		'assignee'             => array(
			'schema'   => array( 'type' => 'integer', 'minimum' => 0, 'default' => 0 ),
			'sanitize' => 'absint',
		),
		'urgent'               => array(
			'schema'   => array( 'type' => 'boolean', 'default' => false ),
			'sanitize' => $bool,
		),
		'unread'               => array(
			'schema'   => array( 'type' => 'boolean', 'default' => false ),
			'sanitize' => $bool,
		),
		'clinicdesk_client_id' => array(
			'schema'   => array( 'type' => 'string', 'maxLength' => CLINICDESK_CLIENT_ID_LENGTH, 'default' => '' ),
			'sanitize' => $line,
		),
	);
}

/**
 * Whether a user may write inquiry meta (`auth_callback` of every inquiry meta key): the triage
 * fields and the client id only, for staff. What the person submitted is written only by the
 * consultation endpoint, when it creates the inquiry (directly, not through this check): nobody,
 * an administrator included, may rewrite it through the REST API.
 *
 * @param bool   $allowed  Whether the user can add the meta, as decided so far.
 * @param string $meta_key The meta key.
 * @param int    $post_id  The inquiry.
 * @param int    $user_id  The user.
 */
function clinicdesk_can_write_inquiry_meta( $allowed, $meta_key, $post_id, $user_id ): bool {
	if ( in_array( $meta_key, CLINICDESK_SUBMITTED_FIELDS, true ) ) {
		return false;
	}
	return user_can( (int) $user_id, CLINICDESK_CAP_MANAGE );
}

/**
 * Whether a user may write `clinicdesk_client_id` on a post or an attachment: whoever can edit
 * that record (for an upload: its uploader, who holds `upload_files`).
 *
 * @param bool   $allowed  Whether the user can add the meta, as decided so far.
 * @param string $meta_key The meta key.
 * @param int    $post_id  The post.
 * @param int    $user_id  The user.
 */
function clinicdesk_can_write_post_client_id( $allowed, $meta_key, $post_id, $user_id ): bool {
	return user_can( (int) $user_id, 'edit_post', (int) $post_id );
}

/** Registers the inquiry post type and the meta of inquiries and posts. */
function clinicdesk_register_types(): void {
	register_post_type(
		CLINICDESK_POST_TYPE,
		array(
			'labels'              => array(
				'name'          => __( 'Inquiries', 'clinicdesk' ),
				'singular_name' => __( 'Inquiry', 'clinicdesk' ),
				'menu_name'     => __( 'Inquiries', 'clinicdesk' ),
				'all_items'     => __( 'All inquiries', 'clinicdesk' ),
				'edit_item'     => __( 'Inquiry', 'clinicdesk' ),
				'search_items'  => __( 'Search inquiries', 'clinicdesk' ),
				'not_found'     => __( 'No inquiries', 'clinicdesk' ),
			),
			'description'         => __( 'Consultation-form inquiries (health information; staff only).', 'clinicdesk' ),
			'public'              => false,
			'publicly_queryable'  => false,
			'exclude_from_search' => true,
			'show_ui'             => true,
			'show_in_menu'        => true,
			'show_in_nav_menus'   => false,
			'show_in_admin_bar'   => false,
			'has_archive'         => false,
			'rewrite'             => false,
			'query_var'           => false,
			'can_export'          => false,
			'delete_with_user'    => false,
			'hierarchical'        => false,
			'menu_icon'           => 'dashicons-email-alt',
			// 'editor' gives the REST record its (always empty) `content`; the admin screens
			// do not show it (clinicdesk_admin_screen()).
			// No 'revisions': an inquiry keeps no copies of what was written (and autosaves are
			// removed from its routes, rest-inquiries.php).
			'supports'            => array( 'title', 'editor', 'custom-fields' ),
			'show_in_rest'        => true,
			'rest_base'           => 'inquiries',
			'map_meta_cap'        => true,
			'capabilities'        => array(
				// Meta capabilities, mapped per post by map_meta_cap().
				'edit_post'              => 'edit_clinicdesk_inquiry',
				'read_post'              => 'read_clinicdesk_inquiry',
				'delete_post'            => 'delete_clinicdesk_inquiry',
				// Primitive capabilities.
				'read'                   => CLINICDESK_CAP_MANAGE,
				// Inquiries come from the consultation form only: nobody creates one by hand.
				'create_posts'           => 'do_not_allow',
				'edit_posts'             => CLINICDESK_CAP_MANAGE,
				'edit_others_posts'      => CLINICDESK_CAP_MANAGE,
				'edit_private_posts'     => CLINICDESK_CAP_MANAGE,
				'edit_published_posts'   => CLINICDESK_CAP_MANAGE,
				'publish_posts'          => CLINICDESK_CAP_MANAGE,
				'read_private_posts'     => CLINICDESK_CAP_MANAGE,
				'delete_posts'           => CLINICDESK_CAP_DELETE,
				'delete_private_posts'   => CLINICDESK_CAP_DELETE,
				'delete_published_posts' => CLINICDESK_CAP_DELETE,
				'delete_others_posts'    => CLINICDESK_CAP_DELETE,
			),
		)
	);

	foreach ( clinicdesk_inquiry_meta_fields() as $key => $field ) {
		register_post_meta(
			CLINICDESK_POST_TYPE,
			$key,
			array(
				'type'              => $field['schema']['type'],
				'single'            => true,
				'default'           => $field['schema']['default'],
				'sanitize_callback' => $field['sanitize'],
				'auth_callback'     => 'clinicdesk_can_write_inquiry_meta',
				'show_in_rest'      => array( 'schema' => $field['schema'] ),
			)
		);
	}

	// Posts and uploads: an upload sends it as the query parameter
	// `meta[clinicdesk_client_id]` (its body is the file), which WordPress reads as `meta`.
	foreach ( array( 'post', 'attachment' ) as $post_type ) {
		register_post_meta(
			$post_type,
			'clinicdesk_client_id',
			array(
				'type'              => 'string',
				'single'            => true,
				'default'           => '',
				'description'       => __( 'The UUID the ClinicDesk app created this record with (idempotent creates).', 'clinicdesk' ),
				'sanitize_callback' => 'clinicdesk_sanitize_line',
				'auth_callback'     => 'clinicdesk_can_write_post_client_id',
				'show_in_rest'      => array(
					'schema' => array( 'type' => 'string', 'maxLength' => CLINICDESK_CLIENT_ID_LENGTH, 'default' => '' ),
				),
			)
		);
	}
}
add_action( 'init', 'clinicdesk_register_types', 5 );

/**
 * The inquiry's title: "First Last" (for the WordPress admin list). Stored as text, like the
 * fields it comes from; {@see clinicdesk_escape_title()} keeps it from ever being HTML.
 *
 * @param string $first The first name.
 * @param string $last  The last name.
 */
function clinicdesk_inquiry_title( string $first, string $last ): string {
	return trim( clinicdesk_sanitize_line( $first ) . ' ' . clinicdesk_sanitize_line( $last ) );
}

/**
 * An inquiry's title is text: escaped wherever WordPress renders it (`title.rendered`, admin).
 *
 * @param string $title   The title.
 * @param int    $post_id The post.
 */
function clinicdesk_escape_title( $title, $post_id = 0 ): string {
	if ( $post_id && CLINICDESK_POST_TYPE === get_post_type( (int) $post_id ) ) {
		return esc_html( (string) $title );
	}
	return (string) $title;
}
add_filter( 'the_title', 'clinicdesk_escape_title', 1, 2 );

/**
 * A neutral slug, `inquiry-ID`: WordPress would derive it from the title, putting a name in a URL.
 *
 * @param int $post_id The post.
 */
function clinicdesk_inquiry_slug( int $post_id ): string {
	return 'inquiry-' . $post_id;
}

/**
 * Gives a new inquiry its neutral slug (its id was not known before the insert).
 *
 * @param int     $post_id The post.
 * @param WP_Post $post    The post.
 * @param bool    $update  Whether this was an update.
 */
function clinicdesk_after_insert( $post_id, $post, $update ): void {
	if ( $update || ! $post instanceof WP_Post || CLINICDESK_POST_TYPE !== $post->post_type ) {
		return;
	}
	$slug = 'trash' === $post->post_status ? clinicdesk_inquiry_slug( $post->ID ) . '__trashed' : clinicdesk_inquiry_slug( $post->ID );
	if ( $slug !== $post->post_name ) {
		global $wpdb;
		$wpdb->update( $wpdb->posts, array( 'post_name' => $slug ), array( 'ID' => $post->ID ) );
		clean_post_cache( $post->ID );
	}
}
add_action( 'wp_insert_post', 'clinicdesk_after_insert', 1, 3 );

/**
 * The admin edit screen of an inquiry shows its title and fields, not a content editor.
 */
function clinicdesk_admin_screen(): void {
	remove_post_type_support( CLINICDESK_POST_TYPE, 'editor' );
}
add_action( 'load-post.php', 'clinicdesk_admin_screen' );
add_action( 'load-post-new.php', 'clinicdesk_admin_screen' );

/**
 * Keeps every inquiry private (or in the trash), without content, comments or password, and its
 * title "First Last" from its meta, whoever saves it and however.
 *
 * @param array<string, mixed> $data    The slashed post row about to be written.
 * @param array<string, mixed> $postarr The slashed arguments given to wp_insert_post().
 * @return array<string, mixed>
 */
function clinicdesk_filter_inquiry_data( $data, $postarr ) {
	if ( ! is_array( $data ) || CLINICDESK_POST_TYPE !== ( $data['post_type'] ?? '' ) ) {
		return $data;
	}
	if ( ! in_array( $data['post_status'] ?? '', array( 'private', 'trash', 'auto-draft' ), true ) ) {
		$data['post_status'] = 'private';
	}
	$data['post_content']          = '';
	$data['post_content_filtered'] = '';
	$data['post_excerpt']          = '';
	$data['post_password']         = '';
	$data['comment_status']        = 'closed';
	$data['ping_status']           = 'closed';

	$post_id = isset( $postarr['ID'] ) ? (int) $postarr['ID'] : 0;
	if ( $post_id > 0 && metadata_exists( 'post', $post_id, 'first_name' ) ) {
		$title = clinicdesk_inquiry_title(
			(string) get_post_meta( $post_id, 'first_name', true ),
			(string) get_post_meta( $post_id, 'last_name', true )
		);
	} else {
		// The title as given, not as kses filtered it for an anonymous "author": it is text.
		$title = clinicdesk_sanitize_line( wp_unslash( (string) ( $postarr['post_title'] ?? '' ) ) );
	}
	$data['post_title'] = wp_slash( $title );
	if ( $post_id > 0 ) {
		$data['post_name'] = clinicdesk_inquiry_slug( $post_id ) . ( 'trash' === $data['post_status'] ? '__trashed' : '' );
	}
	return $data;
}
add_filter( 'wp_insert_post_data', 'clinicdesk_filter_inquiry_data', 99, 2 );

/**
 * Restores an inquiry from the trash as private (WordPress restores posts as drafts since 5.6).
 *
 * @param string $new_status The status WordPress would restore to.
 * @param int    $post_id    The post.
 */
function clinicdesk_untrash_status( $new_status, $post_id ): string {
	return CLINICDESK_POST_TYPE === get_post_type( (int) $post_id ) ? 'private' : (string) $new_status;
}
add_filter( 'wp_untrash_post_status', 'clinicdesk_untrash_status', 10, 2 );

/**
 * Keeps the title "First Last" when a name field of an inquiry changes (written straight to the
 * row: the update that changed the meta already bumped `modified_gmt`).
 *
 * @param int    $meta_id   The meta row.
 * @param int    $object_id The post.
 * @param string $meta_key  The meta key.
 */
function clinicdesk_sync_title( $meta_id, $object_id, $meta_key ): void {
	if ( 'first_name' !== $meta_key && 'last_name' !== $meta_key ) {
		return;
	}
	$post = get_post( (int) $object_id );
	if ( ! $post || CLINICDESK_POST_TYPE !== $post->post_type ) {
		return;
	}
	$title = clinicdesk_inquiry_title(
		(string) get_post_meta( $post->ID, 'first_name', true ),
		(string) get_post_meta( $post->ID, 'last_name', true )
	);
	if ( $title !== $post->post_title ) {
		global $wpdb;
		$wpdb->update( $wpdb->posts, array( 'post_title' => $title ), array( 'ID' => $post->ID ) );
		clean_post_cache( $post->ID );
	}
}
add_action( 'added_post_meta', 'clinicdesk_sync_title', 10, 3 );
add_action( 'updated_post_meta', 'clinicdesk_sync_title', 10, 3 );

/**
 * Inquiries are edited in the classic screen (title and custom fields), never the block editor.
 *
 * @param bool   $use       Whether to use the block editor.
 * @param string $post_type The post type.
 */
function clinicdesk_no_block_editor( $use, $post_type ): bool {
	return CLINICDESK_POST_TYPE === $post_type ? false : (bool) $use;
}
add_filter( 'use_block_editor_for_post_type', 'clinicdesk_no_block_editor', 10, 2 );

/**
 * No comments on inquiries.
 *
 * @param bool $open    Whether comments are open.
 * @param int  $post_id The post.
 */
function clinicdesk_no_comments( $open, $post_id ): bool {
	return CLINICDESK_POST_TYPE === get_post_type( (int) $post_id ) ? false : (bool) $open;
}
add_filter( 'comments_open', 'clinicdesk_no_comments', 10, 2 );
add_filter( 'pings_open', 'clinicdesk_no_comments', 10, 2 );

/**
 * Defence in depth for the public site: whatever a query asked for, the front end (themes, feeds,
 * sitemaps, embeds) never receives an inquiry. The REST API and the admin do their own checks.
 *
 * @param WP_Post[] $posts The posts found.
 * @param WP_Query  $query The query.
 * @return WP_Post[]
 */
function clinicdesk_hide_from_front( $posts, $query ) {
	if ( is_admin() || ( defined( 'REST_REQUEST' ) && REST_REQUEST ) || ! is_array( $posts ) ) {
		return $posts;
	}
	return array_values(
		array_filter(
			$posts,
			static function ( $post ): bool {
				return ! ( $post instanceof WP_Post && CLINICDESK_POST_TYPE === $post->post_type );
			}
		)
	);
}
add_filter( 'the_posts', 'clinicdesk_hide_from_front', 10, 2 );

/**
 * No revisions of an inquiry are kept, whatever the site's WP_POST_REVISIONS says.
 *
 * @param int     $num  The number of revisions to keep.
 * @param WP_Post $post The post.
 */
function clinicdesk_no_revisions( $num, $post ): int {
	return ( $post instanceof WP_Post && CLINICDESK_POST_TYPE === $post->post_type ) ? 0 : (int) $num;
}
add_filter( 'wp_revisions_to_keep', 'clinicdesk_no_revisions', 10, 2 );
