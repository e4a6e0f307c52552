resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.small"
  iam_instance_profile = aws_iam_instance_profile.node["web"].name
}

resource "aws_instance" "jobs" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.small"
  iam_instance_profile = aws_iam_instance_profile.node["jobs"].name
}
