// 审核草拟的台账: a clause selected in the report's text fills the 从所选原文添加 form.
document.addEventListener("DOMContentLoaded", () => {
  const text = document.getElementById("report-text");
  const clause = document.getElementById("id_clause");
  if (!text || !clause) return;
  text.addEventListener("mouseup", () => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && text.contains(selection.anchorNode)) {
      clause.value = selection.toString().trim();
    }
  });
});
