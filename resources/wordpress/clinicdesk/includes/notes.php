<?php
/**
 * Notes: their table and the clinicdesk/v1/notes routes.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

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
		'by'        => array(
			'description' => 'Who wrote it: "user" (the signed-in person) or "system" (the app\'s automatic crisis flag: a note, or urgent "on").',
			'type'        => 'string',
			'enum'        => CLINICDESK_NOTE_BY,
			'default'     => 'user',
		),
	);
}

/**
 * The name a note written by ClinicDesk itself (author 0) is shown with.
 */
function clinicdesk_system_author_name(): string {
	return __( 'ClinicDesk (automatic)', 'clinicdesk' );
}

/**
 * Whether a note may be written as ClinicDesk's own: only what its automatic crisis flag records
 * (the urgent event turning the flag on, and the note saying why).
 *
 * @param string $kind    The note's kind.
 * @param string $content The note's text.
 */
function clinicdesk_system_note_allowed( string $kind, string $content ): bool {
	return 'note' === $kind || ( 'urgent' === $kind && 'on' === trim( $content ) );
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
	$name   = $user ? (string) $user->display_name : '';
	return array(
		'id'          => (int) $row->id,
		'inquiry'     => (int) $row->inquiry_id,
		'author'      => $author,
		'author_name' => 0 === $author ? clinicdesk_system_author_name() : $name,
		'by'          => 0 === $author ? 'system' : 'user',
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
			__( 'The page number requested is larger than the number of pages available.', 'clinicdesk' ),
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

	$by_system = 'system' === $request['by'];
	if ( $by_system && ! clinicdesk_system_note_allowed( (string) $request['kind'], (string) $request['content'] ) ) {
		return new WP_Error(
			'rest_invalid_param',
			/* translators: %s: the invalid parameters' names. */
			sprintf( __( 'Invalid parameter(s): %s', 'clinicdesk' ), 'by' ),
			array(
				'status' => 400,
				'params' => array( 'by' => __( 'Only the automatic crisis flag (urgent on, or a note) is the system\'s.', 'clinicdesk' ) ),
			)
		);
	}

	$inquiry = get_post( (int) $request['inquiry'] );
	if ( ! $inquiry || CLINICDESK_POST_TYPE !== $inquiry->post_type ) {
		return new WP_Error( 'rest_post_invalid_id', __( 'Invalid post ID.', 'clinicdesk' ), array( 'status' => 404 ) );
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
					$by_system ? 0 : get_current_user_id(),
					gmdate( 'Y-m-d H:i:s' ),
					(string) $request['kind'],
					clinicdesk_sanitize_text( $request['content'] ),
				),
				null === $client_id ? array() : array( $client_id )
			)
		)
	);
	if ( false === $inserted ) {
		return new WP_Error( 'clinicdesk_db_error', __( 'The note could not be saved.', 'clinicdesk' ), array( 'status' => 500 ) );
	}
	if ( 0 === (int) $inserted && null !== $client_id ) {
		$existing = clinicdesk_find_note_by_client_id( $client_id );
		if ( null !== $existing ) {
			return new WP_REST_Response( clinicdesk_prepare_note( $existing ), 200 );
		}
	}
	$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", (int) $wpdb->insert_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	if ( ! is_object( $row ) ) {
		return new WP_Error( 'clinicdesk_db_error', __( 'The note could not be saved.', 'clinicdesk' ), array( 'status' => 500 ) );
	}
	return new WP_REST_Response( clinicdesk_prepare_note( $row ), 201 );
}
