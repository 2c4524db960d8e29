"""Who is in which chat of the fake Bot API, and with what status: getChat (by id or by a
channel's @username), getChatMember and getChatAdministrators, answered as Telegram answers
them, and the bot's own removal (kicked from a group, removed from a channel), after which
Telegram refuses its sends with 403.

Statuses are Telegram's: creator, administrator, member, restricted, left, kicked. A user
the fake was told nothing about has left the chat, as Telegram says of a stranger."""

from __future__ import annotations

import threading
import time
from typing import Any

from bot.telegram.loopback.rules import ApiError

__all__ = ["ADMIN_RIGHTS", "STATUSES", "ChatMembers", "kicked_text"]

STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
# The rights an administrator's ChatMember carries (all of them required by the Bot API).
ADMIN_RIGHTS = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories", "can_post_messages", "can_edit_messages")  # fmt: skip


def kicked_text(chat: dict[str, Any]) -> str:
    """Telegram's 403 to a bot sending to a chat it was removed from."""
    if chat.get("type") == "channel":
        return "Forbidden: bot is not a member of the channel chat"
    kind = "supergroup" if chat.get("type") == "supergroup" else "group"
    return f"Forbidden: bot was kicked from the {kind} chat"


class ChatMembers:
    """Members of the fake's group and channel chats; `chats` is the server's own table (id ->
    chat), which channels are added to."""

    def __init__(self, chats: dict[int, dict[str, Any]], bot: dict[str, Any]) -> None:
        self.chats = chats
        self.bot = bot
        self._status: dict[tuple[int, int], str] = {}
        self._users: dict[int, dict[str, Any]] = {bot["id"]: bot}
        self._usernames: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- what tests set up ------------------------------------------------------------------

    def channel(self, chat_id: int, username: str, title: str = "Morning wire") -> dict[str, Any]:
        """A channel (ids are -100…), reachable as @username, with the bot as its admin."""
        chat = {"id": chat_id, "type": "channel", "title": title, "username": username}
        with self._lock:
            self.chats[chat_id] = chat
            self._usernames[username.lower()] = chat_id
            self._status[(chat_id, self.bot["id"])] = "administrator"
        return chat

    def set(self, chat: dict[str, Any], user_id: int, status: str, name: str = "User") -> None:
        """Give a user a status in a chat (the chat is known to the server from then on)."""
        if status not in STATUSES:
            raise ValueError(f"not a chat member status: {status!r}")
        with self._lock:
            self.chats.setdefault(chat["id"], chat)
            self._users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": name})
            self._status[(chat["id"], user_id)] = status

    def kick(self, chat_id: int, by: int) -> dict[str, Any]:
        """The bot removed from a group or channel by user `by`; the my_chat_member update
        Telegram sends the bot about it."""
        chat = self.chats[chat_id]
        old = self.member(chat_id, self.bot["id"])
        self.set(chat, self.bot["id"], "kicked")
        return {"chat": chat, "from": {"id": by, "is_bot": False, "first_name": "User"},
                "date": int(time.time()), "old_chat_member": old,
                "new_chat_member": self.member(chat_id, self.bot["id"])}  # fmt: skip

    def status(self, chat_id: int, user_id: int) -> str:
        """A user's status in a chat ("left" when nothing was said)."""
        with self._lock:
            return self._status.get((chat_id, user_id), "left")

    def removed(self, chat_id: int) -> bool:
        """Whether the bot was kicked from the group or channel (its sends get 403)."""
        chat = self.chats.get(chat_id, {})
        if chat.get("type") not in ("group", "supergroup", "channel"):
            return False
        with self._lock:
            return self._status.get((chat_id, self.bot["id"])) in ("kicked", "left")

    def resolve(self, chat_id: Any) -> int:
        """A chat_id parameter as Telegram reads it: a number, or a channel's @username."""
        text = str(chat_id if chat_id is not None else "").strip()
        if not text:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if text.startswith("@"):
            with self._lock:
                found = self._usernames.get(text[1:].lower())
            if found is None:
                raise ApiError(400, "Bad Request: chat not found")
            return found
        try:
            return int(text)
        except ValueError:
            raise ApiError(400, "Bad Request: chat not found") from None

    # -- the protocol -----------------------------------------------------------------------

    def member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """The ChatMember object Telegram gives for a user in a chat."""
        status = self.status(chat_id, user_id)
        user = self._users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "User"})
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(dict.fromkeys(ADMIN_RIGHTS, False))
            member.update(can_manage_chat=True, can_post_messages=True)
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            raise ValueError("restricted members are not modelled")  # no test needs them
        return member

    def _known(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self.resolve(params.get("chat_id"))
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if self.removed(chat_id):
            raise ApiError(403, kicked_text(chat))
        return chat

    def api_getChat(self, params: dict[str, Any]) -> Any:
        chat = self._known(params)
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False}}  # fmt: skip

    def api_getChatMember(self, params: dict[str, Any]) -> Any:
        chat = self._known(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        try:
            user_id = int(params.get("user_id") or "")
        except ValueError:
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        return self.member(chat["id"], user_id)

    def api_getChatAdministrators(self, params: dict[str, Any]) -> Any:
        chat = self._known(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        with self._lock:
            ids = [u for (c, u), s in self._status.items() if c == chat["id"]
                   and s in ("creator", "administrator")]  # fmt: skip
        return [self.member(chat["id"], user_id) for user_id in ids]
