# format(), join() and concat() are evaluated: the wildcard they build is found.
variable "account_id" {
  default = "123456789012"
}

resource "aws_iam_policy" "fmt" {
  name = "fmt"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = format("arn:aws:iam::%s:role/%s", var.account_id, "*") }]
  })
}

resource "aws_iam_policy" "joined" {
  name = "joined"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = join(":", ["arn:aws:iam:", var.account_id, "role/Dev*"]) }]
  })
}

resource "aws_iam_policy" "concat" {
  name = "concat"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = concat(["arn:aws:iam::123456789012:role/app/*"], ["*"])
    }]
  })
}
