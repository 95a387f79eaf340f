// khobor/web/hub.cpp — the live pages' broadcast.
#include "web/hub.h"

namespace khobor::web {

void Hub::push(std::string item) {
  {
    std::lock_guard<std::mutex> lock(m_mu);
    m_items.push_back(std::move(item));
    ++m_next;
    if (m_items.size() > k_keep) {
      m_items.pop_front();
    }
  }
  m_cv.notify_all();
}

uint64_t Hub::cursor() const {
  std::lock_guard<std::mutex> lock(m_mu);
  return m_next;
}

std::optional<std::vector<std::string>> Hub::wait(uint64_t& cursor,
                                                  std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(m_mu);
  m_cv.wait_for(lock, wait, [&] { return m_closed || m_next > cursor; });
  if (m_closed) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  const uint64_t oldest = m_next - m_items.size();
  if (cursor < oldest) {
    out.emplace_back(k_resync);
  } else {
    for (uint64_t id = cursor; id < m_next; ++id) {
      out.push_back(m_items[id - oldest]);
    }
  }
  cursor = m_next;
  return out;
}

bool Hub::join(size_t limit) {
  std::lock_guard<std::mutex> lock(m_mu);
  if (m_pages >= limit || m_closed) {
    return false;
  }
  ++m_pages;
  return true;
}

void Hub::leave() {
  std::lock_guard<std::mutex> lock(m_mu);
  --m_pages;
}

size_t Hub::pages() const {
  std::lock_guard<std::mutex> lock(m_mu);
  return m_pages;
}

void Hub::close() {
  {
    std::lock_guard<std::mutex> lock(m_mu);
    m_closed = true;
  }
  m_cv.notify_all();
}

}  // namespace khobor::web
