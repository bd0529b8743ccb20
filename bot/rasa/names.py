"""The names domain.yml declares — slots, forms, custom actions, responses — as constants: the one
place in the code that spells them. Actions and channels import them from here instead of writing
the string; tests/test_contract.py checks that every name here is declared in domain.yml and that
everything domain.yml declares has a name here. No Rasa import: the action server loads this too."""

from typing import Dict

from bot.constants import EXTRA_CASES, OBJECTION_INTENTS

# -- slots ------------------------------------------------------------------------------------
# a test-drive booking in progress (actions/booking.py)
SLOT_BOOKING_REQUEST = "booking_request"  # what was asked so far, as JSON (bot.booking.BookingRequest)
SLOT_BOOKING_PROMPT = "booking_prompt"  # the form's next question: what is missing, or the read-back
SLOT_BOOKING_START = "booking_start"  # the slot read back, ISO
SLOT_BOOKING_CONFIRMED = "booking_confirmed"  # True: booked; False: not wanted (nothing kept)
SLOT_BOOKING_KEPT = "booking_kept"  # the booking just kept, as JSON; None once undone
# the car and the fact question talked about last (actions/product.py)
SLOT_PRODUCT_SUBJECT = "product_subject"  # 远山 or 远山两驱豪华版
SLOT_PRODUCT_QUESTION = "product_question"  # the last fact question, so 那远山呢 asks it again about 远山
# what the customer said about themselves
SLOT_CAR_MODEL = "car_model"
SLOT_COMPETITOR = "competitor"
SLOT_CURRENT_CAR = "current_car"
SLOT_FAMILY_MEMBER = "family_member"
SLOT_BUDGET = "budget"
SLOT_USAGE = "usage"
SLOT_PASSENGERS = "passengers"
SLOT_PRIORITY = "priority"
SLOT_PURCHASE_TIMEFRAME = "purchase_timeframe"
# the lead
SLOT_LEAD_PENDING = "lead_pending"  # a stall again after a small step was asked: grade the lead next
SLOT_LEAD_GRADE = "lead_grade"
SLOT_FOLLOW_UP_DATE = "follow_up_date"
SLOT_LEAD_NAME = "lead_name"
SLOT_LEAD_PHONE = "lead_phone"
SLOT_LEAD_CONSENT = "lead_consent"
# times the consent question was asked again (0 or 1); also the requested_slot while that answer is awaited
SLOT_LEAD_CONSENT_AGAIN = "lead_consent_again"
SLOT_LEAD_CHANNEL = "lead_channel"
# trainee practice (actions/roleplay.py)
SLOT_ROLEPLAY_MODE = "roleplay_mode"
SLOT_ROLEPLAY_PERSONA = "roleplay_persona"
SLOT_ROLEPLAY_LEVEL = "roleplay_level"
SLOT_ROLEPLAY_REPLIES = "roleplay_replies"
SLOT_ROLEPLAY_HISTORY = "roleplay_history"
# the objection answers' state (action_answer_objection)
SLOT_USED_SCRIPTS = "used_scripts"
SLOT_LAST_PRINCIPLE = "last_principle"
SLOT_SALES_STAGE = "sales_stage"
SLOT_GIFTS_OFFERED = "gifts_offered"
# Rasa's own (not declared in domain.yml): the slot an active form asks for
SLOT_REQUESTED = "requested_slot"

# -- forms ------------------------------------------------------------------------------------
FORM_TEST_DRIVE = "test_drive_form"
FORM_MODEL_NEEDS = "model_needs_form"
FORM_LEAD_GRADE = "lead_grade_form"
FORM_CONTACT = "contact_form"

# -- actions ----------------------------------------------------------------------------------
ACTION_ANSWER_OBJECTION = "action_answer_objection"
ACTION_READ_STATEMENTS = "action_read_statements"
ACTION_ROLEPLAY_TURN = "action_roleplay_turn"
ACTION_RECOMMEND_MODEL = "action_recommend_model"
ACTION_GRADE_LEAD = "action_grade_lead"
ACTION_VALIDATE_MODEL_NEEDS_FORM = "validate_model_needs_form"
ACTION_VALIDATE_LEAD_GRADE_FORM = "validate_lead_grade_form"
ACTION_VALIDATE_CONTACT_FORM = "validate_contact_form"
ACTION_SAVE_LEAD = "action_save_lead"
ACTION_ANSWER_PRODUCT = "action_answer_product"
ACTION_HAND_OVER = "action_hand_over"
ACTION_START_BOOKING = "action_start_booking"
ACTION_VALIDATE_TEST_DRIVE_FORM = "validate_test_drive_form"
ACTION_SAVE_BOOKING = "action_save_booking"
ACTION_CANCEL_BOOKING = "action_cancel_booking"
ACTION_FALLBACK = "action_fallback"
# Rasa's own (not declared in domain.yml)
ACTION_LISTEN = "action_listen"

# -- responses --------------------------------------------------------------------------------
# a person on request (bot.leads.handoff picks one)
UTTER_HAND_OVER_OPEN = "utter_hand_over_open"
UTTER_HAND_OVER_OPEN_PHONE = "utter_hand_over_open_phone"
UTTER_HAND_OVER_CLOSED = "utter_hand_over_closed"
UTTER_HAND_OVER_CLOSED_PHONE = "utter_hand_over_closed_phone"
UTTER_WITH_A_PERSON = "utter_with_a_person"  # sent by our channels to a paused conversation
# the test drive
UTTER_ASK_TEST_DRIVE_FORM_BOOKING_CONFIRMED = "utter_ask_test_drive_form_booking_confirmed"
UTTER_BOOKING_CANCELLED = "utter_booking_cancelled"
UTTER_BOOKING_CANCELLED_ONLY = "utter_booking_cancelled_only"
UTTER_BOOKING_NOT_KEPT = "utter_booking_not_kept"
# facts, small talk and the help menu (most are named by data/rules.yml and data/stories.yml)
UTTER_ASK_PRODUCT_DETAIL = "utter_ask_product_detail"
UTTER_IS_BOT = "utter_is_bot"
UTTER_GREET = "utter_greet"
UTTER_GOODBYE = "utter_goodbye"
UTTER_THANK = "utter_thank"
UTTER_AFFIRM = "utter_affirm"
UTTER_DENY = "utter_deny"
UTTER_OUT_OF_SCOPE = "utter_out_of_scope"
UTTER_DEFAULT = "utter_default"
# the needs and lead-grading forms (utter_ask_<slot>: asked by Rasa's forms)
UTTER_ASK_USAGE = "utter_ask_usage"
UTTER_ASK_PASSENGERS = "utter_ask_passengers"
UTTER_ASK_BUDGET = "utter_ask_budget"
UTTER_ASK_PRIORITY = "utter_ask_priority"
UTTER_NEEDS_NOT_UNDERSTOOD = "utter_needs_not_understood"
UTTER_ASK_PURCHASE_TIMEFRAME = "utter_ask_purchase_timeframe"
UTTER_LEAD_GRADED = "utter_lead_graded"
# the contact form
UTTER_ASK_CONTACT_FORM_LEAD_PHONE = "utter_ask_contact_form_lead_phone"
UTTER_ASK_CONTACT_FORM_LEAD_CONSENT = "utter_ask_contact_form_lead_consent"
UTTER_ASK_LEAD_CONSENT_AGAIN = "utter_ask_lead_consent_again"
UTTER_CONTACT_NOT_UNDERSTOOD = "utter_contact_not_understood"
UTTER_LEAD_SAVED = "utter_lead_saved"
UTTER_LEAD_NOT_KEPT = "utter_lead_not_kept"
# sent by our channels (bot/channels/)
UTTER_WECHAT_UNSUPPORTED = "utter_wechat_unsupported"
UTTER_CONSULTANT_FOLLOW_UP = "utter_consultant_follow_up"
# trainee practice (actions/roleplay.py)
UTTER_ROLEPLAY_INTRO = "utter_roleplay_intro"
UTTER_ROLEPLAY_CUSTOMER = "utter_roleplay_customer"
UTTER_ROLEPLAY_FEEDBACK = "utter_roleplay_feedback"
UTTER_ROLEPLAY_HINT = "utter_roleplay_hint"
UTTER_ROLEPLAY_EMPTY = "utter_roleplay_empty"
UTTER_ROLEPLAY_SCORECARD = "utter_roleplay_scorecard"
# The general answer to each objection intent and playbook case (bot.constants.EXTRA_CASES), when
# every script was used or the playbook cannot be read: utter_<objection>.
GENERAL_ANSWERS: Dict[str, str] = {name: f"utter_{name}" for name in (*OBJECTION_INTENTS, *EXTRA_CASES)}
