// 目录导入导出: show the file inputs with Chinese wording (the browser's own button speaks its UI language).
document.querySelectorAll(".file-pick").forEach(function (box) {
  var input = box.querySelector('input[type="file"]');
  var name = box.querySelector(".file-pick-name");
  if (!input || !name) return;
  box.classList.add("enhanced");
  input.addEventListener("change", function () {
    name.textContent = input.files && input.files.length ? input.files[0].name : "未选择文件";
  });
});
