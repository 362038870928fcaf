<?php
/**
 * Plugin Name:       ClinicDesk Inquiries
 * Description:       Private consultation inquiries, their triage fields and notes, and the public consultation form endpoint used by the ClinicDesk desktop app. Works as a normal plugin or as a must-use plugin.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            ClinicDesk
 * License:           Proprietary
 * Text Domain:       clinicdesk
 *
 * The contract this file serves is docs/site-api.md of the ClinicDesk repository ("plugin" parts):
 *
 * - the private post type `clinicdesk_inquiry` at `wp/v2/inquiries`, its meta, and `private` as the
 *   default status of its collection;
 * - the role `clinicdesk_intake` and the capabilities `clinicdesk_manage_inquiries` /
 *   `clinicdesk_delete_inquiries` (administrators and editors get both);
 * - `meta.clinicdesk_client_id` on posts and media (attachments) and the `clinicdesk_client_id`
 *   collection parameter of both;
 * - `clinicdesk/v1/staff`, `clinicdesk/v1/notes` and the public `clinicdesk/v1/consultation`.
 *
 * Notes live in their own table, `{prefix}clinicdesk_notes` (created with dbDelta on activation or,
 * for a must-use plugin, on the first request): a unique key on `client_id` makes note creation
 * idempotent even under concurrent retries, and no comment route, feed or count can ever see them.
 *
 * Inquiries are health information: nobody without `clinicdesk_manage_inquiries` can read, list or
 * count them through any route, and no inquiry field is ever rendered as HTML by this plugin.
 *
 * @package ClinicDesk
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Loaded twice (as a must-use plugin and as a normal plugin)? The first copy wins. Everything is
// declared inside this block so that the second copy declares nothing: top-level functions would
// be declared when the file is compiled, before any early `return`, and clash.
if ( ! defined( 'CLINICDESK_INQUIRIES_VERSION' ) ) {

	define( 'CLINICDESK_INQUIRIES_VERSION', '1.0.0' );
	/** Bumped whenever the roles, capabilities or the notes table change. */
	define( 'CLINICDESK_SCHEMA_VERSION', '1' );

	define( 'CLINICDESK_POST_TYPE',  'clinicdesk_inquiry' );
	define( 'CLINICDESK_CAP_MANAGE', 'clinicdesk_manage_inquiries' );
	define( 'CLINICDESK_CAP_DELETE', 'clinicdesk_delete_inquiries' );
	define( 'CLINICDESK_ROLE',       'clinicdesk_intake' );
	define( 'CLINICDESK_NAMESPACE',  'clinicdesk/v1' );

	define( 'CLINICDESK_TRIAGE_STATUSES',  array( 'new', 'contacted', 'scheduled', 'referred', 'closed', 'spam' ) );
	define( 'CLINICDESK_CONTACT_METHODS',  array( 'email', 'phone', 'text' ) );
	define( 'CLINICDESK_NOTE_KINDS',       array( 'note', 'status', 'assign', 'urgent', 'acknowledge' ) );
	define( 'CLINICDESK_DEFAULT_RATE',     '5/600' );
	define( 'CLINICDESK_CLIENT_ID_LENGTH', 64 );

	/**
	 * Two-letter USPS codes: the states, the District of Columbia, the territories and the military
	 * "states". The form may also leave the state empty.
	 */
	define(
		'CLINICDESK_STATES',
		array(
			'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS',
			'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY',
			'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV',
			'WI', 'WY', 'DC', 'AS', 'GU', 'MP', 'PR', 'VI', 'AA', 'AE', 'AP',
		)
	);

	/* -------------------------------------------------------------------------------------------------
	 * Text handling.
	 *
	 * Inquiry fields are stored as plain text and are never rendered as HTML: they leave WordPress
	 * only as JSON strings (REST) or escaped (the title, wherever WordPress renders it). So the plugin
	 * does not strip "<" or anything that merely looks like markup from what a person wrote ("<3",
	 * "dose < 5 mg" must survive); it removes what is never text: invalid UTF-8, control characters,
	 * and (for one-line fields) line breaks.
	 * ------------------------------------------------------------------------------------------ */

	/**
	 * Sanitizes a one-line text field: valid UTF-8, control characters (line breaks too) made spaces,
	 * trimmed. Inner spacing is kept as the person typed it.
	 *
	 * @param mixed $value The raw value.
	 */
	function clinicdesk_sanitize_line( $value ): string {
		if ( ! is_scalar( $value ) ) {
			return '';
		}
		$text = wp_check_invalid_utf8( (string) $value );
		$text = (string) preg_replace( '/[\x00-\x1F\x7F]/u', ' ', $text );
		return trim( $text );
	}

	/**
	 * Sanitizes a multi-line text field: like a line, but keeps line breaks (normalized to "\n") and tabs.
	 *
	 * @param mixed $value The raw value.
	 */
	function clinicdesk_sanitize_text( $value ): string {
		if ( ! is_scalar( $value ) ) {
			return '';
		}
		$text = wp_check_invalid_utf8( (string) $value );
		$text = str_replace( array( "\r\n", "\r" ), "\n", $text );
		$text = (string) preg_replace( '/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]+/u', '', $text );
		return trim( $text );
	}

	/**
	 * A UTC date-time as `YYYY-MM-DDTHH:MM:SS` (a zone, if given, is ignored: the value is UTC, as
	 * WordPress treats `date_gmt`); '' when it is not a date.
	 *
	 * @param mixed $value The raw value.
	 */
	function clinicdesk_sanitize_gmt( $value ): string {
		$timestamp = is_string( $value ) ? rest_parse_date( $value, true ) : false;
		return false === $timestamp ? '' : gmdate( 'Y-m-d\TH:i:s', $timestamp );
	}

	/**
	 * Sanitizes an email address field (one line; the address itself was validated by the schema).
	 *
	 * @param mixed $value The raw value.
	 */
	function clinicdesk_sanitize_email( $value ): string {
		return clinicdesk_sanitize_line( $value );
	}

	/**
	 * The value of a boolean meta field, from whatever WordPress or a caller handed over.
	 *
	 * @param mixed $value The raw value.
	 */
	function clinicdesk_sanitize_bool( $value ): bool {
		return rest_sanitize_boolean( $value );
	}

	/**
	 * A UTC time as WordPress's REST API writes `date_gmt`: `YYYY-MM-DDTHH:MM:SS`, no zone.
	 *
	 * @param int|null $timestamp Unix time; now when null.
	 */
	function clinicdesk_gmt( ?int $timestamp = null ): string {
		return gmdate( 'Y-m-d\TH:i:s', $timestamp ?? time() );
	}

	/* -------------------------------------------------------------------------------------------------
	 * Roles, capabilities and the notes table: installed on activation and, idempotently, on every
	 * load (must-use plugins have no activation hook).
	 * ------------------------------------------------------------------------------------------ */

	/**
	 * Adds the intake role and gives administrators and editors both capabilities. Idempotent: only
	 * writes when something is missing.
	 */
	function clinicdesk_ensure_roles(): void {
		$intake = get_role( CLINICDESK_ROLE );
		if ( null === $intake ) {
			add_role(
				CLINICDESK_ROLE,
				'Intake specialist',
				array(
					'read'                => true,
					CLINICDESK_CAP_MANAGE => true,
				)
			);
		} else {
			if ( ! $intake->has_cap( 'read' ) ) {
				$intake->add_cap( 'read' );
			}
			if ( ! $intake->has_cap( CLINICDESK_CAP_MANAGE ) ) {
				$intake->add_cap( CLINICDESK_CAP_MANAGE );
			}
			if ( $intake->has_cap( CLINICDESK_CAP_DELETE ) ) {
				$intake->remove_cap( CLINICDESK_CAP_DELETE );
			}
		}
		foreach ( array( 'administrator', 'editor' ) as $role_name ) {
			$role = get_role( $role_name );
			if ( null === $role ) {
				continue;
			}
			foreach ( array( CLINICDESK_CAP_MANAGE, CLINICDESK_CAP_DELETE ) as $cap ) {
				if ( ! $role->has_cap( $cap ) ) {
					$role->add_cap( $cap );
				}
			}
		}
	}

	/** The notes table's name on the current site. */
	function clinicdesk_notes_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'clinicdesk_notes';
	}

	/**
	 * Creates or upgrades the notes table with dbDelta (its formatting rules are strict: two spaces
	 * after PRIMARY KEY, one field per line).
	 */
	function clinicdesk_install_notes_table(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = clinicdesk_notes_table();
		$collate = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$table} (
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
) {$collate};"
		);
	}

	/** Runs the installer when this site has not seen the current schema version yet. */
	function clinicdesk_maybe_install(): void {
		if ( wp_installing() ) {
			return;
		}
		clinicdesk_ensure_roles();
		if ( get_option( 'clinicdesk_schema_version' ) !== CLINICDESK_SCHEMA_VERSION ) {
			clinicdesk_install_notes_table();
			update_option( 'clinicdesk_schema_version', CLINICDESK_SCHEMA_VERSION );
		}
		if ( false === get_option( 'clinicdesk_consultation_rate' ) ) {
			add_option( 'clinicdesk_consultation_rate', CLINICDESK_DEFAULT_RATE );
		}
	}

	/** Activation (normal plugin only): install at once rather than on the next request. */
	function clinicdesk_activate(): void {
		clinicdesk_ensure_roles();
		clinicdesk_install_notes_table();
		update_option( 'clinicdesk_schema_version', CLINICDESK_SCHEMA_VERSION );
		if ( false === get_option( 'clinicdesk_consultation_rate' ) ) {
			add_option( 'clinicdesk_consultation_rate', CLINICDESK_DEFAULT_RATE );
		}
	}
	register_activation_hook( __FILE__, 'clinicdesk_activate' );
	add_action( 'init', 'clinicdesk_maybe_install', 1 );

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
	 * Whether a user may write inquiry meta (`auth_callback` of every inquiry meta key).
	 *
	 * @param bool   $allowed  Whether the user can add the meta, as decided so far.
	 * @param string $meta_key The meta key.
	 * @param int    $post_id  The inquiry.
	 * @param int    $user_id  The user.
	 */
	function clinicdesk_can_write_inquiry_meta( $allowed, $meta_key, $post_id, $user_id ): bool {
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
					'name'          => 'Inquiries',
					'singular_name' => 'Inquiry',
					'menu_name'     => 'Inquiries',
					'all_items'     => 'All inquiries',
					'edit_item'     => 'Inquiry',
					'search_items'  => 'Search inquiries',
					'not_found'     => 'No inquiries',
				),
				'description'         => 'Consultation-form inquiries (health information; staff only).',
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
					'create_posts'           => CLINICDESK_CAP_MANAGE,
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
					'description'       => 'The UUID the ClinicDesk app created this record with (idempotent creates).',
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
	 * Whether the current user holds the inquiry capability.
	 */
	function clinicdesk_current_user_can_manage(): bool {
		return current_user_can( CLINICDESK_CAP_MANAGE );
	}

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
	 * The notes of an inquiry go with it when it is deleted for good.
	 *
	 * @param int          $post_id The deleted post.
	 * @param WP_Post|null $post    The deleted post's last state.
	 */
	function clinicdesk_delete_inquiry_notes( $post_id, $post = null ): void {
		if ( ! $post instanceof WP_Post || CLINICDESK_POST_TYPE !== $post->post_type ) {
			return;
		}
		global $wpdb;
		$table = clinicdesk_notes_table();
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE inquiry_id = %d", (int) $post_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}
	add_action( 'deleted_post', 'clinicdesk_delete_inquiry_notes', 10, 2 );

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

	/* -------------------------------------------------------------------------------------------------
	 * REST: the inquiries collection.
	 * ------------------------------------------------------------------------------------------ */

	/**
	 * `private` is the default status of the inquiries collection (stock WordPress says `publish`).
	 *
	 * @param array<string, mixed> $params The collection parameters.
	 * @return array<string, mixed>
	 */
	function clinicdesk_inquiry_collection_params( $params ) {
		if ( isset( $params['status'] ) && is_array( $params['status'] ) ) {
			$params['status']['default'] = 'private';
		}
		return $params;
	}
	add_filter( 'rest_' . CLINICDESK_POST_TYPE . '_collection_params', 'clinicdesk_inquiry_collection_params' );

	/**
	 * An inquiry can only be written as `private` (the trash is reached with DELETE): any other
	 * `status` in a create or update is a 400 `rest_invalid_param` rather than silently changed.
	 *
	 * @param array<string, mixed> $schema The inquiry item schema.
	 * @return array<string, mixed>
	 */
	function clinicdesk_inquiry_item_schema( $schema ) {
		if ( isset( $schema['properties']['status'] ) && is_array( $schema['properties']['status'] ) ) {
			$schema['properties']['status']['enum'] = array( 'private' );
		}
		return $schema;
	}
	add_filter( 'rest_' . CLINICDESK_POST_TYPE . '_item_schema', 'clinicdesk_inquiry_item_schema' );

	/**
	 * Refuses every inquiry route (the collection, an item, its autosaves, in batches too; the notes
	 * and the staff list) to anyone without the capability, before WordPress even validates the
	 * parameters: 401 signed out, 403 signed in. Stock WordPress would answer an anonymous list of the
	 * (private by default) collection with 200, an empty page and an `X-WP-Total` that counts the
	 * inquiries; and it validates arguments before asking the permission callback.
	 *
	 * @param mixed           $result  A response already decided by another filter, or null.
	 * @param WP_REST_Server  $server  The server.
	 * @param WP_REST_Request $request The request.
	 * @return mixed
	 */
	function clinicdesk_guard_inquiry_routes( $result, $server, $request ) {
		if ( null !== $result || ! $request instanceof WP_REST_Request ) {
			return $result;
		}
		// Routes match case-insensitively in WP_REST_Server::match_request_to_handler(), so must this.
		if ( ! preg_match( '#^/(?:wp/v2/inquiries|clinicdesk/v1/notes|clinicdesk/v1/staff)(?:/|$)#i', $request->get_route() ) ) {
			return $result;
		}
		if ( clinicdesk_current_user_can_manage() ) {
			return $result;
		}
		return new WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to do that.' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}
	add_filter( 'rest_pre_dispatch', 'clinicdesk_guard_inquiry_routes', 5, 3 );

	/**
	 * Validates the `meta` object of an inquiry write before anything is saved, so that a value of the
	 * wrong type or outside its values is a 400 `rest_invalid_param` naming `meta` (stock WordPress
	 * checks meta only after saving the post, with codes like `rest_not_in_enum`).
	 *
	 * @param mixed           $value   The `meta` parameter.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The parameter name.
	 * @return true|WP_Error
	 */
	function clinicdesk_validate_inquiry_meta( $value, $request, $param ) {
		if ( ! is_array( $value ) || ( array() !== $value && wp_is_numeric_array( $value ) ) ) {
			return new WP_Error( 'rest_invalid_type', sprintf( '%s is not of type object.', $param ) );
		}
		$fields = clinicdesk_inquiry_meta_fields();
		foreach ( $value as $key => $item ) {
			if ( ! isset( $fields[ $key ] ) ) {
				continue; // Unknown keys are ignored, as WordPress ignores unknown fields.
			}
			$valid = rest_validate_value_from_schema( $item, $fields[ $key ]['schema'], $param . '.' . $key );
			if ( is_wp_error( $valid ) ) {
				return $valid;
			}
			if ( 'received_gmt' === $key && false === rest_parse_date( (string) $item, true ) ) {
				return new WP_Error( 'rest_invalid_date', __( 'Invalid date.' ) );
			}
			if ( 'email' === $key && ! is_email( $item ) ) {
				return new WP_Error( 'rest_invalid_email', __( 'Invalid email address.' ) );
			}
			if ( 'assignee' === $key && (int) $item > 0 && ! user_can( (int) $item, CLINICDESK_CAP_MANAGE ) ) {
				return new WP_Error( 'rest_invalid_param', sprintf( '%s.assignee is not a staff member.', $param ) );
			}
		}
		return true;
	}

	/**
	 * Puts {@see clinicdesk_validate_inquiry_meta()} on the `meta` argument of the inquiry routes.
	 *
	 * @param array<string, mixed> $endpoints The routes and their handlers.
	 * @return array<string, mixed>
	 */
	function clinicdesk_inquiry_endpoints( $endpoints ) {
		foreach ( array( '/wp/v2/inquiries', '/wp/v2/inquiries/(?P<id>[\d]+)' ) as $route ) {
			if ( ! isset( $endpoints[ $route ] ) || ! is_array( $endpoints[ $route ] ) ) {
				continue;
			}
			foreach ( $endpoints[ $route ] as $index => $handler ) {
				if ( is_int( $index ) && is_array( $handler ) && isset( $handler['args']['meta'] ) ) {
					$endpoints[ $route ][ $index ]['args']['meta']['validate_callback'] = 'clinicdesk_validate_inquiry_meta';
				}
			}
		}
		return $endpoints;
	}
	add_filter( 'rest_endpoints', 'clinicdesk_inquiry_endpoints' );

	/* -------------------------------------------------------------------------------------------------
	 * REST: `clinicdesk_client_id` on posts and media.
	 * ------------------------------------------------------------------------------------------ */

	/**
	 * Adds the `clinicdesk_client_id` parameter to the posts and media collections.
	 *
	 * @param array<string, mixed> $params The collection parameters.
	 * @return array<string, mixed>
	 */
	function clinicdesk_post_collection_params( $params ) {
		$params['clinicdesk_client_id'] = array(
			'description' => 'Limit the result to records created with this ClinicDesk client id (a UUID).',
			'type'        => 'string',
			'maxLength'   => CLINICDESK_CLIENT_ID_LENGTH,
		);
		return $params;
	}
	add_filter( 'rest_post_collection_params', 'clinicdesk_post_collection_params' );
	add_filter( 'rest_attachment_collection_params', 'clinicdesk_post_collection_params' );

	/**
	 * Applies `clinicdesk_client_id`: only records whose meta equals it, in any status but trash
	 * unless the request names a status (and the user may see unpublished records).
	 *
	 * @param array<string, mixed> $args    WP_Query arguments.
	 * @param WP_REST_Request      $request The request.
	 * @return array<string, mixed>
	 */
	function clinicdesk_post_query( $args, $request ) {
		$client_id = $request->get_param( 'clinicdesk_client_id' );
		if ( ! is_string( $client_id ) || '' === $client_id ) {
			return $args;
		}
		$meta_query   = isset( $args['meta_query'] ) && is_array( $args['meta_query'] ) ? $args['meta_query'] : array();
		$meta_query[] = array(
			'key'     => 'clinicdesk_client_id',
			'value'   => $client_id,
			'compare' => '=',
		);
		$args['meta_query'] = $meta_query; // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_query
		$explicit_status    = false;
		foreach ( array( $request->get_query_params(), $request->get_body_params(), $request->get_json_params() ) as $given ) {
			if ( is_array( $given ) && isset( $given['status'] ) ) {
				$explicit_status = true;
			}
		}
		$type = get_post_type_object( isset( $args['post_type'] ) && is_string( $args['post_type'] ) ? $args['post_type'] : 'post' );
		if ( ! $explicit_status && $type && current_user_can( $type->cap->edit_posts ) ) {
			$args['post_status'] = 'any';
		}
		return $args;
	}
	add_filter( 'rest_post_query', 'clinicdesk_post_query', 10, 2 );
	add_filter( 'rest_attachment_query', 'clinicdesk_post_query', 10, 2 );

	/* -------------------------------------------------------------------------------------------------
	 * REST: stable paging of posts and inquiries.
	 * ------------------------------------------------------------------------------------------ */

	/**
	 * Orders post and inquiry listings by the requested column, then by id in the same direction.
	 *
	 * Stock WordPress orders on the one column. `modified` and `date` have 1-second resolution, so
	 * records saved in the same second tie, and MySQL returns ties in an order that may differ from
	 * one `LIMIT ... OFFSET` to the next: paging then lists some records twice and others never,
	 * without anything changing on the site. The app pages through `orderby=modified` to sync.
	 *
	 * @param array<string, mixed> $args    WP_Query arguments.
	 * @param WP_REST_Request      $request The request.
	 * @return array<string, mixed>
	 */
	function clinicdesk_stable_order( $args, $request ) {
		$orderby = isset( $args['orderby'] ) ? $args['orderby'] : '';
		if ( ! is_string( $orderby ) || ! in_array( $orderby, array( 'date', 'modified', 'title', 'author', 'parent', 'post_name' ), true ) ) {
			return $args; // Already unique (ID), or an order of its own (include, relevance, an array).
		}
		$order           = isset( $args['order'] ) && 'ASC' === strtoupper( (string) $args['order'] ) ? 'ASC' : 'DESC';
		$args['orderby'] = array(
			$orderby => $order,
			'ID'     => $order,
		);
		return $args;
	}
	add_filter( 'rest_post_query', 'clinicdesk_stable_order', 20, 2 );
	add_filter( 'rest_' . CLINICDESK_POST_TYPE . '_query', 'clinicdesk_stable_order', 20, 2 );

	/* -------------------------------------------------------------------------------------------------
	 * REST: clinicdesk/v1.
	 * ------------------------------------------------------------------------------------------ */

	/** Permission callback of the staff and notes routes. */
	function clinicdesk_staff_permission(): bool {
		return clinicdesk_current_user_can_manage();
	}

	/**
	 * Gives every argument schema validation as its validate_callback (without one an argument is
	 * only checked while being sanitized, after the others were validated, so one
	 * `rest_invalid_param` would not name every bad field), and a sanitize_callback that trims
	 * strings.
	 *
	 * @param array<string, array<string, mixed>> $args      Route arguments.
	 * @param callable                            $validator The validate_callback to give.
	 * @return array<string, array<string, mixed>>
	 */
	function clinicdesk_validated_args( array $args, $validator = 'rest_validate_request_arg' ): array {
		foreach ( $args as $name => $arg ) {
			if ( ! isset( $arg['validate_callback'] ) ) {
				$args[ $name ]['validate_callback'] = $validator;
			}
			if ( ! isset( $arg['sanitize_callback'] ) ) {
				$args[ $name ]['sanitize_callback'] = 'clinicdesk_sanitize_trimmed';
			}
		}
		return $args;
	}

	/** Registers the clinicdesk/v1 routes. */
	function clinicdesk_register_routes(): void {
		register_rest_route(
			CLINICDESK_NAMESPACE,
			'/staff',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => 'clinicdesk_rest_staff',
				'permission_callback' => 'clinicdesk_staff_permission',
			)
		);

		register_rest_route(
			CLINICDESK_NAMESPACE,
			'/notes',
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => 'clinicdesk_rest_list_notes',
					'permission_callback' => 'clinicdesk_staff_permission',
					'args'                => clinicdesk_validated_args( clinicdesk_note_list_args() ),
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => 'clinicdesk_rest_create_note',
					'permission_callback' => 'clinicdesk_staff_permission',
					'args'                => clinicdesk_validated_args( clinicdesk_note_create_args() ),
				),
			)
		);

		register_rest_route(
			CLINICDESK_NAMESPACE,
			'/consultation',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => 'clinicdesk_rest_consultation',
				'permission_callback' => '__return_true',
				'args'                => clinicdesk_validated_args( clinicdesk_consultation_args(), 'clinicdesk_validate_trimmed' ),
			)
		);
	}
	add_action( 'rest_api_init', 'clinicdesk_register_routes' );

	/**
	 * `GET clinicdesk/v1/staff`: every user who holds the inquiry capability, ordered by name.
	 */
	function clinicdesk_rest_staff(): WP_REST_Response {
		$users = get_users(
			array(
				'capability' => CLINICDESK_CAP_MANAGE,
				'orderby'    => array(
					'display_name' => 'ASC',
					'ID'           => 'ASC',
				),
				'number'     => -1,
			)
		);
		$staff = array();
		foreach ( $users as $user ) {
			$staff[] = array(
				'id'    => (int) $user->ID,
				'name'  => (string) $user->display_name,
				'slug'  => (string) $user->user_nicename,
				'roles' => array_values( (array) $user->roles ),
			);
		}
		return new WP_REST_Response( $staff, 200 );
	}

	/* ---- Notes -------------------------------------------------------------------------------------- */

	/**
	 * The arguments of `GET clinicdesk/v1/notes`.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	function clinicdesk_note_list_args(): array {
		return array(
			'after_id' => array(
				'description' => 'Only notes with a greater id.',
				'type'        => 'integer',
				'minimum'     => 0,
				'default'     => 0,
			),
			'inquiry'  => array(
				'description' => 'Only the notes of this inquiry.',
				'type'        => 'integer',
				'minimum'     => 1,
			),
			'page'     => array(
				'description' => 'Current page of the collection.',
				'type'        => 'integer',
				'minimum'     => 1,
				'default'     => 1,
			),
			'per_page' => array(
				'description' => 'Maximum number of items to be returned in result set.',
				'type'        => 'integer',
				'minimum'     => 1,
				'maximum'     => 100,
				'default'     => 10,
			),
		);
	}

	/**
	 * The arguments of `POST clinicdesk/v1/notes`.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	function clinicdesk_note_create_args(): array {
		return array(
			'inquiry'   => array(
				'description' => 'The inquiry the note belongs to.',
				'type'        => 'integer',
				'minimum'     => 1,
				'required'    => true,
			),
			'kind'      => array(
				'description' => 'What the note records.',
				'type'        => 'string',
				'enum'        => CLINICDESK_NOTE_KINDS,
				'required'    => true,
			),
			'content'   => array(
				'description'       => 'The text of the note.',
				'type'              => 'string',
				'required'          => true,
				'minLength'         => 1,
				'maxLength'         => 20000,
				'validate_callback' => 'clinicdesk_validate_trimmed',
			),
			'client_id' => array(
				'description' => 'The UUID the app created the note with (idempotent create).',
				'type'        => array( 'string', 'null' ),
				'maxLength'   => CLINICDESK_CLIENT_ID_LENGTH,
			),
		);
	}

	/**
	 * A note row as the API gives it.
	 *
	 * @param object $row A row of the notes table.
	 * @return array<string, mixed>
	 */
	function clinicdesk_prepare_note( $row ): array {
		$author = (int) $row->author_id;
		$user   = $author > 0 ? get_userdata( $author ) : false;
		return array(
			'id'          => (int) $row->id,
			'inquiry'     => (int) $row->inquiry_id,
			'author'      => $author,
			'author_name' => $user ? (string) $user->display_name : '',
			'date_gmt'    => str_replace( ' ', 'T', (string) $row->date_gmt ),
			'kind'        => (string) $row->kind,
			'content'     => (string) $row->content,
			'client_id'   => null === $row->client_id ? null : (string) $row->client_id,
		);
	}

	/**
	 * `GET clinicdesk/v1/notes`: notes with an id above `after_id`, oldest first, paginated like posts.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	function clinicdesk_rest_list_notes( WP_REST_Request $request ) {
		global $wpdb;
		$table    = clinicdesk_notes_table();
		$after_id = (int) $request['after_id'];
		$page     = (int) $request['page'];
		$per_page = (int) $request['per_page'];
		$where    = $wpdb->prepare( 'id > %d', $after_id );
		if ( null !== $request['inquiry'] ) {
			$where .= $wpdb->prepare( ' AND inquiry_id = %d', (int) $request['inquiry'] );
		}
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $where is prepared above.
		$total = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table} WHERE {$where}" );
		$pages = (int) ceil( $total / $per_page );
		if ( $page > $pages && $total > 0 ) {
			return new WP_Error(
				'rest_post_invalid_page_number',
				__( 'The page number requested is larger than the number of pages available.' ),
				array( 'status' => 400 )
			);
		}
		$rows = $wpdb->get_results(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE {$where} ORDER BY id ASC LIMIT %d OFFSET %d", $per_page, ( $page - 1 ) * $per_page )
		);
		// phpcs:enable
		$notes = array_map( 'clinicdesk_prepare_note', is_array( $rows ) ? $rows : array() );

		$response = new WP_REST_Response( $notes, 200 );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) $pages );
		$query = $request->get_query_params();
		unset( $query['rest_route'] );
		$base = add_query_arg( urlencode_deep( $query ), rest_url( CLINICDESK_NAMESPACE . '/notes' ) );
		if ( $page > 1 ) {
			$prev = min( $page - 1, max( $pages, 1 ) );
			$response->link_header( 'prev', add_query_arg( 'page', $prev, $base ) );
		}
		if ( $page < $pages ) {
			$response->link_header( 'next', add_query_arg( 'page', $page + 1, $base ) );
		}
		return $response;
	}

	/**
	 * The note created with this client id, if any.
	 *
	 * @param string $client_id The client id.
	 */
	function clinicdesk_find_note_by_client_id( string $client_id ): ?object {
		global $wpdb;
		$table = clinicdesk_notes_table();
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE client_id = %s", $client_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_object( $row ) ? $row : null;
	}

	/**
	 * `POST clinicdesk/v1/notes`: appends a note; a client id already used answers the existing note.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	function clinicdesk_rest_create_note( WP_REST_Request $request ) {
		global $wpdb;
		$client_id = $request['client_id'];
		$client_id = is_string( $client_id ) && '' !== trim( $client_id ) ? trim( $client_id ) : null;
		if ( null !== $client_id ) {
			$existing = clinicdesk_find_note_by_client_id( $client_id );
			if ( null !== $existing ) {
				return new WP_REST_Response( clinicdesk_prepare_note( $existing ), 200 );
			}
		}

		$inquiry = get_post( (int) $request['inquiry'] );
		if ( ! $inquiry || CLINICDESK_POST_TYPE !== $inquiry->post_type ) {
			return new WP_Error( 'rest_post_invalid_id', __( 'Invalid post ID.' ), array( 'status' => 404 ) );
		}

		$table = clinicdesk_notes_table();
		// INSERT IGNORE: two concurrent creates with one client id race to the unique key; the loser
		// inserts nothing and answers the winner's note.
		$inserted = $wpdb->query(
			$wpdb->prepare(
				"INSERT IGNORE INTO {$table} (inquiry_id, author_id, date_gmt, kind, content, client_id) VALUES (%d, %d, %s, %s, %s, " . ( null === $client_id ? 'NULL' : '%s' ) . ')', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				...array_merge(
					array(
						$inquiry->ID,
						get_current_user_id(),
						gmdate( 'Y-m-d H:i:s' ),
						(string) $request['kind'],
						clinicdesk_sanitize_text( $request['content'] ),
					),
					null === $client_id ? array() : array( $client_id )
				)
			)
		);
		if ( false === $inserted ) {
			return new WP_Error( 'clinicdesk_db_error', 'The note could not be saved.', array( 'status' => 500 ) );
		}
		if ( 0 === (int) $inserted && null !== $client_id ) {
			$existing = clinicdesk_find_note_by_client_id( $client_id );
			if ( null !== $existing ) {
				return new WP_REST_Response( clinicdesk_prepare_note( $existing ), 200 );
			}
		}
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", (int) $wpdb->insert_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( ! is_object( $row ) ) {
			return new WP_Error( 'clinicdesk_db_error', 'The note could not be saved.', array( 'status' => 500 ) );
		}
		return new WP_REST_Response( clinicdesk_prepare_note( $row ), 201 );
	}

	/* ---- The consultation form ---------------------------------------------------------------------- */

	/**
	 * `rest_validate_request_arg()` on the value as it will be stored: a string is trimmed first, so
	 * " TX" is a state and a name of 100 letters and a trailing space is not too long.
	 *
	 * @param mixed           $value   The value.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The parameter name.
	 * @return true|WP_Error
	 */
	function clinicdesk_validate_trimmed( $value, $request, $param ) {
		$attributes = $request->get_attributes();
		if ( ! isset( $attributes['args'][ $param ] ) || ! is_array( $attributes['args'][ $param ] ) ) {
			return true;
		}
		return rest_validate_value_from_schema( is_string( $value ) ? trim( $value ) : $value, $attributes['args'][ $param ], $param );
	}

	/**
	 * The sanitize_callback that goes with {@see clinicdesk_validate_trimmed()} (WordPress's default,
	 * `rest_parse_request_arg()`, would validate the untrimmed value again).
	 *
	 * @param mixed           $value   The value.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The parameter name.
	 * @return mixed
	 */
	function clinicdesk_sanitize_trimmed( $value, $request, $param ) {
		$attributes = $request->get_attributes();
		if ( ! isset( $attributes['args'][ $param ] ) || ! is_array( $attributes['args'][ $param ] ) ) {
			return $value;
		}
		return rest_sanitize_value_from_schema( is_string( $value ) ? trim( $value ) : $value, $attributes['args'][ $param ], $param );
	}

	/**
	 * Validates an argument with its schema (trimmed), then a check of its own.
	 *
	 * @param callable $extra Returns an error message, or null when the value is fine.
	 */
	function clinicdesk_arg_validator( callable $extra ): callable {
		return static function ( $value, $request, $param ) use ( $extra ) {
			$valid = clinicdesk_validate_trimmed( $value, $request, $param );
			if ( is_wp_error( $valid ) ) {
				return $valid;
			}
			$message = $extra( $value, $request, $param );
			return null === $message ? true : new WP_Error( 'rest_invalid_param', $message );
		};
	}

	/**
	 * The arguments of `POST clinicdesk/v1/consultation`, validated by WordPress itself so that errors
	 * have its `rest_missing_callback_param` / `rest_invalid_param` shapes, naming every field.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	function clinicdesk_consultation_args(): array {
		return array(
			'first_name'        => array(
				'type'      => 'string',
				'required'  => true,
				'minLength' => 1,
				'maxLength' => 100,
			),
			'last_name'         => array(
				'type'      => 'string',
				'maxLength' => 100,
				'default'   => '',
			),
			'email'             => array(
				'type'      => 'string',
				'format'    => 'email',
				'required'  => true,
				'maxLength' => 254,
			),
			'phone'             => array(
				'type'              => 'string',
				'maxLength'         => 40,
				'default'           => '',
				'validate_callback' => clinicdesk_arg_validator(
					static function ( $value, $request, $param ): ?string {
						$contact = $request->get_param( 'preferred_contact' );
						if ( in_array( $contact, array( 'phone', 'text' ), true ) && '' === clinicdesk_sanitize_line( $value ) ) {
							return sprintf( '%s is required when preferred_contact is phone or text.', $param );
						}
						return null;
					}
				),
			),
			'preferred_contact' => array(
				'type'    => 'string',
				'enum'    => CLINICDESK_CONTACT_METHODS,
				'default' => 'email',
			),
			'state'             => array(
				'type'    => 'string',
				'enum'    => array_merge( array( '' ), CLINICDESK_STATES ),
				'default' => '',
			),
			'insurance'         => array(
				'type'      => 'string',
				'maxLength' => 100,
				'default'   => '',
			),
			'reason'            => array(
				'type'      => 'string',
				'maxLength' => 200,
				'default'   => '',
			),
			'message'           => array(
				'type'      => 'string',
				'maxLength' => 5000,
				'default'   => '',
			),
			'consent'           => array(
				'type'              => 'boolean',
				'required'          => true,
				'validate_callback' => clinicdesk_arg_validator(
					static function ( $value, $request, $param ): ?string {
						return true === rest_sanitize_boolean( $value ) ? null : sprintf( '%s must be true.', $param );
					}
				),
			),
			'website'           => array(
				'description' => 'Honeypot: hidden from people, so it must be absent or empty.',
				'type'        => 'string',
				'default'     => '',
			),
		);
	}

	/**
	 * The consultation rate limit: the option `clinicdesk_consultation_rate` as "COUNT/SECONDS".
	 *
	 * @return array{0: int, 1: int} The number of submissions allowed per window, and the window.
	 */
	function clinicdesk_rate(): array {
		$option = (string) get_option( 'clinicdesk_consultation_rate', CLINICDESK_DEFAULT_RATE );
		if ( ! preg_match( '#^\s*(\d+)\s*/\s*(\d+)\s*$#', $option, $match ) || (int) $match[2] < 1 ) {
			preg_match( '#^(\d+)/(\d+)$#', CLINICDESK_DEFAULT_RATE, $match );
		}
		return array( (int) $match[1], (int) $match[2] );
	}

	/**
	 * Counts one submission from the client's address (REMOTE_ADDR only: forwarded headers can be
	 * forged). Answers how many seconds the client must wait when it is over the limit, else 0.
	 */
	function clinicdesk_rate_limit_hit(): int {
		list( $limit, $window ) = clinicdesk_rate();
		$address = isset( $_SERVER['REMOTE_ADDR'] ) ? (string) $_SERVER['REMOTE_ADDR'] : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
		$key     = 'clinicdesk_rate_' . md5( $address );
		$now     = time();
		$state   = get_transient( $key );
		if ( ! is_array( $state ) || ! isset( $state['start'], $state['count'] ) || $now >= (int) $state['start'] + $window ) {
			$state = array(
				'start' => $now,
				'count' => 0,
			);
		}
		$start = (int) $state['start'];
		if ( (int) $state['count'] >= $limit ) {
			return max( 1, $start + $window - $now );
		}
		$state['count'] = (int) $state['count'] + 1;
		set_transient( $key, $state, max( 1, $start + $window - $now ) );
		return 0;
	}

	/**
	 * The form's gatekeeping, before WordPress validates anything: every POST to the form counts
	 * against its address, a client over the limit gets 429 with `Retry-After`, and a filled honeypot
	 * is refused without saying anything about the other fields.
	 *
	 * @param mixed           $result  A response already decided by another filter, or null.
	 * @param WP_REST_Server  $server  The server.
	 * @param WP_REST_Request $request The request.
	 * @return mixed
	 */
	function clinicdesk_gate_consultation( $result, $server, $request ) {
		if ( null !== $result || ! $request instanceof WP_REST_Request || 'POST' !== $request->get_method() ) {
			return $result;
		}
		if ( ! preg_match( '#^/clinicdesk/v1/consultation$#i', $request->get_route() ) ) {
			return $result;
		}
		$wait = clinicdesk_rate_limit_hit();
		if ( $wait > 0 ) {
			$response = new WP_REST_Response(
				array(
					'code'    => 'clinicdesk_rate_limited',
					'message' => 'Too many requests. Please try again later.',
					'data'    => array( 'status' => 429 ),
				),
				429
			);
			$response->header( 'Retry-After', (string) $wait );
			return $response;
		}
		$honeypot = $request->get_param( 'website' );
		if ( null !== $honeypot && ( ! is_scalar( $honeypot ) || '' !== trim( (string) $honeypot ) ) ) {
			return new WP_Error( 'clinicdesk_rejected', 'Your request could not be accepted.', array( 'status' => 400 ) );
		}
		return $result;
	}
	add_filter( 'rest_pre_dispatch', 'clinicdesk_gate_consultation', 6, 3 );

	/**
	 * `POST clinicdesk/v1/consultation`: the public form. Creates a private inquiry. The rate limit
	 * and the honeypot were applied by {@see clinicdesk_gate_consultation()}, the arguments validated
	 * by WordPress.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	function clinicdesk_rest_consultation( WP_REST_Request $request ) {
		$first = clinicdesk_sanitize_line( $request['first_name'] );
		$last  = clinicdesk_sanitize_line( $request['last_name'] );
		$meta  = array(
			'first_name'        => $first,
			'last_name'         => $last,
			'email'             => clinicdesk_sanitize_email( $request['email'] ),
			'phone'             => clinicdesk_sanitize_line( $request['phone'] ),
			'preferred_contact' => clinicdesk_sanitize_line( $request['preferred_contact'] ),
			'state'             => clinicdesk_sanitize_line( $request['state'] ),
			'insurance'         => clinicdesk_sanitize_line( $request['insurance'] ),
			'reason'            => clinicdesk_sanitize_line( $request['reason'] ),
			'message'           => clinicdesk_sanitize_text( $request['message'] ),
			'consent'           => true,
			'received_gmt'      => clinicdesk_gmt(),
			'triage_status'     => 'new',
			'assignee'          => 0,
			'urgent'            => false,
			'unread'            => true,
		);
		$id = clinicdesk_create_inquiry( $first, $last, $meta );
		if ( is_wp_error( $id ) ) {
			return $id;
		}
		return new WP_REST_Response( array( 'id' => $id ), 201 );
	}

	/**
	 * Creates a private inquiry with its meta in one transaction (staff never see half an inquiry).
	 * Also used by tools that seed a site (they bypass the form's rate limit).
	 *
	 * @param string               $first     First name.
	 * @param string               $last      Last name.
	 * @param array<string, mixed> $meta      Meta values by key (unslashed).
	 * @param array<string, mixed> $post_args Extra wp_insert_post() arguments (unslashed), e.g. dates.
	 * @return int|WP_Error The new inquiry's id.
	 */
	function clinicdesk_create_inquiry( string $first, string $last, array $meta, array $post_args = array() ) {
		global $wpdb;
		$wpdb->query( 'START TRANSACTION' );
		$id = wp_insert_post(
			wp_slash(
				array_merge(
					array(
						'post_type'      => CLINICDESK_POST_TYPE,
						'post_status'    => 'private',
						'post_title'     => clinicdesk_inquiry_title( $first, $last ),
						'post_content'   => '',
						'post_author'    => 0,
						'comment_status' => 'closed',
						'ping_status'    => 'closed',
					),
					$post_args
				)
			),
			true
		);
		if ( is_wp_error( $id ) || 0 === (int) $id ) {
			$wpdb->query( 'ROLLBACK' );
			return new WP_Error( 'clinicdesk_db_error', 'The inquiry could not be saved.', array( 'status' => 500 ) );
		}
		foreach ( $meta as $key => $value ) {
			update_post_meta( (int) $id, $key, wp_slash( $value ) );
		}
		$wpdb->query( 'COMMIT' );
		return (int) $id;
	}
}
