<?php
/**
 * WordPress's privacy tools: a personal-data exporter and eraser keyed on the email address
 * (Tools > Export Personal Data / Erase Personal Data), and suggested privacy-policy text.
 *
 * The eraser deletes a person's inquiries and their notes for good, unless the filter
 * `clinicdesk_privacy_keep_record` says a record must be kept (a clinic may be obliged to keep
 * one): then what the person wrote and every note's text are anonymised, and the record (its
 * dates, triage status and the kinds of its notes) stays.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/** Inquiries handled per page of an export or erasure. */
const CLINICDESK_PRIVACY_PAGE = 20;

/**
 * The ids of the inquiries sent with an email address (any status, trash included), oldest first.
 *
 * @param string $email The address (compared case-insensitively, as the column's collation does).
 * @param int    $page  The page, from 1.
 * @return int[]
 */
function clinicdesk_inquiries_by_email( string $email, int $page = 1 ): array {
	global $wpdb;
	$ids = $wpdb->get_col(
		$wpdb->prepare(
			"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID
			WHERE p.post_type = %s AND m.meta_key = 'email' AND m.meta_value = %s
			ORDER BY p.ID ASC LIMIT %d OFFSET %d",
			CLINICDESK_POST_TYPE,
			trim( $email ),
			CLINICDESK_PRIVACY_PAGE,
			( max( 1, $page ) - 1 ) * CLINICDESK_PRIVACY_PAGE
		)
	);
	return array_map( 'intval', is_array( $ids ) ? $ids : array() );
}

/**
 * The notes about an inquiry, oldest first.
 *
 * @param int $inquiry_id The inquiry.
 * @return object[]
 */
function clinicdesk_notes_of( int $inquiry_id ): array {
	global $wpdb;
	$table = clinicdesk_notes_table();
	$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE inquiry_id = %d ORDER BY id ASC", $inquiry_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	return is_array( $rows ) ? $rows : array();
}

/**
 * Registers the exporter.
 *
 * @param array<string, mixed> $exporters The exporters so far.
 * @return array<string, mixed>
 */
function clinicdesk_register_exporter( $exporters ) {
	$exporters['clinicdesk'] = array(
		'exporter_friendly_name' => __( 'ClinicDesk consultation inquiries', 'clinicdesk' ),
		'callback'               => 'clinicdesk_privacy_export',
	);
	return $exporters;
}
add_filter( 'wp_privacy_personal_data_exporters', 'clinicdesk_register_exporter' );

/**
 * Registers the eraser.
 *
 * @param array<string, mixed> $erasers The erasers so far.
 * @return array<string, mixed>
 */
function clinicdesk_register_eraser( $erasers ) {
	$erasers['clinicdesk'] = array(
		'eraser_friendly_name' => __( 'ClinicDesk consultation inquiries', 'clinicdesk' ),
		'callback'             => 'clinicdesk_privacy_erase',
	);
	return $erasers;
}
add_filter( 'wp_privacy_personal_data_erasers', 'clinicdesk_register_eraser' );

/**
 * The exporter: one item per inquiry (what the person sent and its triage state) and one per note.
 *
 * @param string $email The person's email address.
 * @param int    $page  The page, from 1.
 * @return array{data: array<int, array<string, mixed>>, done: bool}
 */
function clinicdesk_privacy_export( $email, $page = 1 ) {
	$labels = array(
		'first_name'        => __( 'First name', 'clinicdesk' ),
		'last_name'         => __( 'Last name', 'clinicdesk' ),
		'email'             => __( 'Email', 'clinicdesk' ),
		'phone'             => __( 'Phone', 'clinicdesk' ),
		'preferred_contact' => __( 'Preferred contact', 'clinicdesk' ),
		'state'             => __( 'State', 'clinicdesk' ),
		'insurance'         => __( 'Insurance', 'clinicdesk' ),
		'reason'            => __( 'Reason', 'clinicdesk' ),
		'message'           => __( 'Message', 'clinicdesk' ),
		'consent'           => __( 'Consent given', 'clinicdesk' ),
		'received_gmt'      => __( 'Received (UTC)', 'clinicdesk' ),
		'triage_status'     => __( 'Status', 'clinicdesk' ),
	);
	$ids  = clinicdesk_inquiries_by_email( (string) $email, (int) $page );
	$data = array();
	foreach ( $ids as $id ) {
		$fields = array();
		foreach ( $labels as $key => $label ) {
			$value = get_post_meta( $id, $key, true );
			if ( is_bool( $value ) || 'consent' === $key ) {
				$value = rest_sanitize_boolean( $value ) ? __( 'Yes', 'clinicdesk' ) : __( 'No', 'clinicdesk' );
			}
			$fields[] = array(
				'name'  => $label,
				'value' => (string) $value,
			);
		}
		$data[] = array(
			'group_id'    => 'clinicdesk-inquiries',
			'group_label' => __( 'Consultation inquiries', 'clinicdesk' ),
			'item_id'     => 'clinicdesk-inquiry-' . $id,
			'data'        => $fields,
		);
		foreach ( clinicdesk_notes_of( $id ) as $note ) {
			$data[] = array(
				'group_id'    => 'clinicdesk-notes',
				'group_label' => __( 'Notes about consultation inquiries', 'clinicdesk' ),
				'item_id'     => 'clinicdesk-note-' . (int) $note->id,
				'data'        => array(
					array(
						'name'  => __( 'Inquiry', 'clinicdesk' ),
						'value' => (string) $id,
					),
					array(
						'name'  => __( 'Date (UTC)', 'clinicdesk' ),
						'value' => (string) $note->date_gmt,
					),
					array(
						'name'  => __( 'Kind', 'clinicdesk' ),
						'value' => (string) $note->kind,
					),
					array(
						'name'  => __( 'Note', 'clinicdesk' ),
						'value' => (string) $note->content,
					),
				),
			);
		}
	}
	return array(
		'data' => $data,
		'done' => count( $ids ) < CLINICDESK_PRIVACY_PAGE,
	);
}

/**
 * The eraser: deletes each inquiry with its notes, or anonymises it where a record must be kept.
 *
 * Always works on page 1: erased inquiries no longer match the address, so the next batch is the
 * first page again.
 *
 * @param string $email The person's email address.
 * @param int    $page  The page (see above).
 * @return array{items_removed: bool, items_retained: bool, messages: string[], done: bool}
 */
function clinicdesk_privacy_erase( $email, $page = 1 ) {
	global $wpdb;
	$ids      = clinicdesk_inquiries_by_email( (string) $email, 1 );
	$removed  = false;
	$retained = false;
	$messages = array();
	foreach ( $ids as $id ) {
		/**
		 * Filters whether an inquiry must be kept (anonymised) rather than deleted by the
		 * personal-data eraser, for a clinic obliged to keep a record of every contact.
		 *
		 * @param bool $keep       Whether to keep an anonymised record. Default false.
		 * @param int  $inquiry_id The inquiry.
		 */
		if ( apply_filters( 'clinicdesk_privacy_keep_record', false, $id ) ) {
			$anonymous = array(
				'first_name' => wp_privacy_anonymize_data( 'text' ),
				'last_name'  => '',
				'email'      => wp_privacy_anonymize_data( 'email' ),
				'phone'      => '',
				'state'      => '',
				'insurance'  => '',
				'reason'     => '',
				'message'    => wp_privacy_anonymize_data( 'longtext' ),
			);
			foreach ( $anonymous as $key => $value ) {
				update_post_meta( $id, $key, $value );
			}
			$table = clinicdesk_notes_table();
			$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET content = %s WHERE inquiry_id = %d", wp_privacy_anonymize_data( 'longtext' ), $id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$retained   = true;
			$removed    = true;
			$messages[] = sprintf(
				/* translators: %d: an inquiry's id. */
				__( 'Inquiry %d was anonymised rather than deleted: the clinic keeps a record of it.', 'clinicdesk' ),
				$id
			);
		} elseif ( wp_delete_post( $id, true ) ) {
			$removed = true;
		} else {
			$retained   = true;
			$messages[] = sprintf(
				/* translators: %d: an inquiry's id. */
				__( 'Inquiry %d could not be deleted.', 'clinicdesk' ),
				$id
			);
			return array(
				'items_removed'  => $removed,
				'items_retained' => $retained,
				'messages'       => $messages,
				'done'           => true,
			);
		}
	}
	return array(
		'items_removed'  => $removed,
		'items_retained' => $retained,
		'messages'       => $messages,
		'done'           => count( $ids ) < CLINICDESK_PRIVACY_PAGE,
	);
}

/**
 * Suggests text for the site's privacy policy (Settings > Privacy).
 */
function clinicdesk_privacy_policy_content(): void {
	if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
		return;
	}
	$text = '<p class="privacy-policy-tutorial">' . esc_html__( 'Suggested text for the consultation form of the ClinicDesk plugin. Adapt it to your clinic.', 'clinicdesk' ) . '</p>'
		. '<p><strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'clinicdesk' ) . '</strong> '
		. esc_html__( 'When you send the consultation form, we store what you entered (your name, email address, phone number, preferred way of contact, state, insurance, reason and message) and the time we received it, so that our intake staff can contact you. This information is visible only to our clinic staff; it is never published on this website. Staff may add notes about how they followed up. We keep your address or network in a coded form for a short time to limit how often the form can be sent. You can ask us for a copy of this information, or to erase it; where the law requires us to keep a record of your contact with us, we remove what you wrote and keep only that record.', 'clinicdesk' )
		. '</p>';
	wp_add_privacy_policy_content( __( 'ClinicDesk', 'clinicdesk' ), wp_kses_post( $text ) );
}
add_action( 'admin_init', 'clinicdesk_privacy_policy_content' );
